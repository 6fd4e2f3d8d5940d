"""Learning tasks: data sets, targets, metrics and baselines for the recurrent networks
(NumPy only).

What every task provides and how a task describes itself to the window:

    base          the Task interface: batches (T, B, I), loss, metrics, baselines, facts()
    facts         TaskFacts and its kinds (RecallFacts, BallFacts): what a snapshot carries
    setting       one row of the settings table and the check every config runs through it
    registry      the tasks by name: their config class and how to build one

The lessons' tasks, each with its config (settings rows) beside it:

    ball, ball_config, ball_physics, ball_scoring     the moving ball (the first slide)
    recall                                            long-range recall (vanishing gradients)
    alphabet                                          say the alphabet forward, backwards, from F
    text, text_config, vocabulary, corpora, classroom the character language model and its text
    ngram                                             its Markov baseline (character n-grams)
    language_model                                    a trained model as keyboard and scorer

The window never imports this package: what a view needs reaches it through the snapshot
(``Snapshot.task``) or through ``rnnviz.training.demos``.
"""
