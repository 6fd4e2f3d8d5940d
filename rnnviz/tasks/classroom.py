"""The classroom corpus: the lecture's sentences, generated.

The classroom corpus is *generated*: a small grammar of the lecture's sentences (cats and dogs,
school, walking home from school, text messages such as "i only want to say hi that i …") is
expanded with a seeded random generator, and mixed with the hand-written sentences of
``resources/corpora/classroom.txt``. The sentence scorer's lesson depends on its statistics:

- word order: adjectives follow "is" ("the cat is small") or precede an animal ("a small cat"),
  and a sentence never starts "small is";
- word choice: "walking home" and "walk home after school" are frequent, while "house"
  appears only in other places ("the cat is in the house"), never after "walking".

The sentences the text demo offers (``HELD_OUT``) are held out: the scorer's ("the cat is
small", "small is the cat", "walking home after school", "walking house after school") and
the keyboard's prompt ("i want to say hi that i"). No line of the corpus contains one, not even
inside a longer line, so that the network is shown text it never read: what it makes of it
comes from similar sentences ("the dog is small", "my cat is big", "we walk home after
school", "i am walking home from school", "i only want to say hi that i am late").
"""

from __future__ import annotations

import random

from rnnviz.resources import resource_path

__all__ = [
    "HELD_OUT",
    "KEYBOARD_PROMPT",
    "SCORED_SENTENCES",
    "WORD_CHOICE",
    "WORD_ORDER",
    "classroom_text",
]

#: The sentence scorer's pairs, the right sentence first: word order and word choice.
WORD_ORDER = ("the cat is small", "small is the cat")
WORD_CHOICE = ("walking home after school", "walking house after school")
#: The sentences the scorer shows: no line of the classroom corpus contains one.
SCORED_SENTENCES = WORD_ORDER + WORD_CHOICE
#: What the predictive keyboard offers to complete: the lecture's text message.
KEYBOARD_PROMPT = "i want to say hi that i"
#: The text the demo offers: no line of the classroom corpus contains one.
HELD_OUT = (*SCORED_SENTENCES, KEYBOARD_PROMPT)


# A subject with the verb forms the templates need, the fields of _SUBJECT_FIELDS.
_SUBJECT_FIELDS = ("subj", "be", "walk", "see", "go", "have", "like")
_SUBJECTS = (
    ("i", "am", "walk", "see", "go", "have", "like"),
    ("we", "are", "walk", "see", "go", "have", "like"),
    ("you", "are", "walk", "see", "go", "have", "like"),
    ("they", "are", "walk", "see", "go", "have", "like"),
    ("my friend", "is", "walks", "sees", "goes", "has", "likes"),
    ("my sister", "is", "walks", "sees", "goes", "has", "likes"),
    ("my brother", "is", "walks", "sees", "goes", "has", "likes"),
    ("sam", "is", "walks", "sees", "goes", "has", "likes"),
    ("amy", "is", "walks", "sees", "goes", "has", "likes"),
)
_ANIMALS = ("cat", "dog", "cat", "dog", "bird", "kitten", "puppy")
_ADJECTIVES = (
    "small", "big", "black", "brown", "white", "happy", "tired", "fast", "slow", "hungry",
    "sleepy", "old", "young", "quiet", "little", "lazy",
)  # fmt: skip
_DETERMINERS = ("the", "the", "the", "my", "our", "her", "his")
_PLACES = (
    "on the mat", "in the garden", "in the park", "on the bed", "by the window",
    "by the door", "under the table", "on the wall", "in the yard", "on the sofa",
)  # fmt: skip
_ANIMAL_VERBS = ("sleeps", "sits", "runs", "waits", "plays", "lies", "eats", "hides")
_FOODS = ("milk", "fish", "water", "meat", "a ball", "the rain", "the sun", "the park")
_NAMES = ("mum", "dad", "sam", "amy", "grandma", "ben", "lucy")
#: What a message says "i …"; walking home from school, the lecture's, three times as often.
_MESSAGE_EVENTS = (
    "am walking home from school", "am walking home from school", "am walking home from school",
    "am at school", "am on the bus", "got home",
    "miss you", "am late", "have a new cat", "saw a big dog", "am in the park",
    "will be home soon", "am walking home with my friend", "forgot my book at school",
    "love you", "am hungry", "got a good mark at school",
)  # fmt: skip
_WHEN = ("today", "tomorrow", "in the morning", "after lunch", "after school", "at three")
_SCHOOL_DOINGS = (
    "read a book", "write in our books", "learn to count", "sing a song", "draw a cat",
    "play in the yard", "eat our lunch", "sit at our desks", "listen to the teacher",
)  # fmt: skip
_TEACHER_DOINGS = (
    "reads a book to the class", "writes on the board", "says good morning",
    "is kind", "is happy with our class", "asks a question", "helps my friend",
)  # fmt: skip
_HOUSE_SENTENCES = (
    "the {animal} is in the house", "the {animal} sleeps in the house",
    "our house is near the school", "my house is {adj}", "the house has a red door",
    "we draw a house in art class", "there is a {animal} at my house",
    "the house is quiet at night", "my friend lives in a big house",
)  # fmt: skip

#: The kinds of sentence, as (weight, templates); a kind with several templates draws one. Word
#: order (the first four) and walking home (the next four) are the sentence scorer's lessons:
#: most weight; none makes "walking home after school" (held out, see the module docstring).
#: A template's fields are the words of its sentence (``_Words``).
_KINDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (10, ("{det} {animal} is {adj}",)),
    (5, ("{det} {animal} is {adj} and {det2} {animal2} is {adj2}",)),
    (6, ("{article} {adj} {animal} {animal_verb} {place}",)),
    (4, ("{det} {animal} likes {food}",)),
    (5, ("{subj} {be} walking home {from_school}",)),
    (5, ("{subj} {walk} home after school{with_friend}",)),
    (3, ("walking home from school {subj} {see} a {adj} {animal}",)),
    (3, (
        "after school {subj} {walk} home",
        "walking home is {mood}",
        "{subj} {like} walking home {from_school}",
    )),
    (6, (
        "i only want to say hi that i {event}",
        "hi {name} i want to tell you that i {event}",
        "hi {name} i {event}",
    )),
    (2, ("see you {when}", "can you come to the park {when}", "i will be home {when}")),
    (4, (
        "{subj} {go} to school {school_day}",
        "at school we {school_doing}",
        "today we {school_doing} at school",
    )),
    (3, ("the teacher {teacher_doing}",)),
    (3, ("{subj} {have} a {adj} {animal}",)),
    (3, _HOUSE_SENTENCES),
)  # fmt: skip

#: The fields a template draws a word for where it stands, from these choices.
_DRAWN_FIELDS: dict[str, tuple[str, ...]] = {
    "article": ("the", "a", "my"),
    "animal_verb": _ANIMAL_VERBS,
    "place": _PLACES,
    "food": _FOODS,
    "with_friend": ("", "", " with my friend"),
    "from_school": ("from school", "from school", "with my friend", "now"),
    "mood": ("fun", "nice", "slow"),
    "event": _MESSAGE_EVENTS,
    "name": _NAMES,
    "when": _WHEN,
    "school_day": ("today", "tomorrow", "in the morning"),
    "school_doing": _SCHOOL_DOINGS,
    "teacher_doing": _TEACHER_DOINGS,
}
#: The drawn fields that keep their first word for the rest of the sentence.
_ONCE_A_SENTENCE = frozenset({"event"})


class _Draw:
    """Random choices built on ``random.Random.random()`` alone: Python guarantees that, with
    an integer seed, its sequence never changes across versions (``choice`` and ``randrange``
    carry no such promise), so the generated corpus is the same everywhere."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed).random

    def randrange(self, n: int) -> int:
        """A whole number in [0, n)."""
        return min(int(self._random() * n), n - 1)

    def choice(self, options: tuple | list):
        return options[self.randrange(len(options))]

    def weighted(self, weights: tuple[int, ...]) -> int:
        """An index i drawn with probability weights[i] / Σ weights."""
        u = self._random() * sum(weights)
        for i, w in enumerate(weights):
            u -= w
            if u < 0:
                return i
        return len(weights) - 1


class _Words(dict):
    """The words of one sentence, for ``str.format_map``: its subject with the verb forms, two
    animals, adjectives and determiners, drawn for every sentence; any other field draws a word
    from ``_DRAWN_FIELDS`` each time a template reads it (once a sentence for
    ``_ONCE_A_SENTENCE``)."""

    def __init__(self, r: _Draw) -> None:
        subject = r.choice(_SUBJECTS)
        super().__init__(zip(_SUBJECT_FIELDS, subject, strict=True))
        self["animal"], self["animal2"] = r.choice(_ANIMALS), r.choice(_ANIMALS)
        self["adj"], self["adj2"] = r.choice(_ADJECTIVES), r.choice(_ADJECTIVES)
        self["det"], self["det2"] = r.choice(_DETERMINERS), r.choice(_DETERMINERS)
        self._draw = r

    def __missing__(self, field: str) -> str:
        word = self._draw.choice(_DRAWN_FIELDS[field])
        if field in _ONCE_A_SENTENCE:
            self[field] = word
        return word


def _classroom_sentence(r: _Draw) -> str:
    """One sentence of the classroom grammar, chosen and filled in by ``r``."""
    words = _Words(r)
    _, templates = _KINDS[r.weighted(tuple(weight for weight, _ in _KINDS))]
    # every template of the kind is filled in before one is drawn: that is the order of the
    # draws the corpus of a seed has always been made with
    sentences = [template.format_map(words) for template in templates]
    return sentences[0] if len(sentences) == 1 else r.choice(sentences)


def _held_out(sentence: str) -> bool:
    """Whether ``sentence`` contains one of the demo's sentences (``HELD_OUT``)."""
    return any(offered in sentence for offered in HELD_OUT)


def classroom_text(seed: int = 0, sentences: int = 4000, include_handwritten: bool = True) -> str:
    """The classroom corpus: ``sentences`` generated sentences, one per line.

    No line contains one of ``HELD_OUT``: a generated sentence that does is drawn
    again, a hand-written one is left out.

    Parameters
    ----------
    seed : int
        Seeds the generator; the same seed gives the same text on every machine and Python
        version.
    sentences : int
        How many generated sentences (≥ 1); 4000 make about 130 KB.
    include_handwritten : bool
        Also mix in each sentence of ``resources/corpora/classroom.txt`` once (but those that
        contain one of ``HELD_OUT``), at a random place.

    Returns
    -------
    str
        Lower-case words, single spaces, one sentence per line, ending with ``"\\n"``.
    """
    if isinstance(sentences, bool) or not isinstance(sentences, int) or sentences < 1:
        raise ValueError(f"sentences must be a whole number ≥ 1, got {sentences!r}")
    r = _Draw(seed)
    lines = []
    while len(lines) < sentences:
        sentence = _classroom_sentence(r)
        if not _held_out(sentence):
            lines.append(sentence)
    if include_handwritten:
        handwritten = resource_path("corpora", "classroom.txt").read_text(encoding="utf-8")
        for line in handwritten.splitlines():
            if line.strip() and not _held_out(line.strip()):
                lines.insert(r.randrange(len(lines) + 1), line.strip())
    return "\n".join(lines) + "\n"
