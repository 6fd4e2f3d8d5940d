"""Writing a drawn widget to a picture file: a raster image (PNG, JPEG, … as Qt writes them) or
an SVG, the format following the file's extension.

An SVG is the widget painted through Qt's own ``QSvgGenerator``: text, lines and curves become
vector elements; what the widget draws as an image (a heat map, a pyqtgraph cache) is embedded
as one. The picture is made in memory and written in one go, so that a failed write leaves no
half file behind and says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QImageWriter, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

__all__ = ["VECTOR_FORMATS", "picture_formats", "save_picture", "svg_bytes"]

#: CSS's pixel: what the SVG's sizes are measured in.
PIXELS_PER_INCH = 96

#: The size Qt writes on the document's root element.
_SVG_SIZE = re.compile(rb'<svg width="[^"]*" height="[^"]*"')

#: The vector formats written through QtSvg, beside the raster formats Qt's image writers know.
VECTOR_FORMATS = ("svg",)


def picture_formats() -> tuple[str, ...]:
    """The file extensions a widget can be saved to (the format follows the extension), PNG
    and JPEG first, SVG after the raster formats."""
    formats = {bytes(f).decode().lower() for f in QImageWriter.supportedImageFormats()}
    formats -= set(VECTOR_FORMATS)  # (an image plugin may list svg for reading only)
    raster = sorted(formats, key=lambda f: (f not in ("png", "jpg"), f != "png", f))
    return (*raster, *VECTOR_FORMATS)


def svg_bytes(widget: QWidget, size: QSize, title: str = "rnnviz") -> bytes:
    """``widget`` painted as an SVG document ``size`` pixels wide and high; a widget laid out
    at another size (larger: it did not fit) is scaled to it by the document's view box."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(title)
    generator.setResolution(PIXELS_PER_INCH)
    painter = QPainter(generator)
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    buffer.close()
    # Qt states the size in millimetres at its resolution; a picture of a screen is in pixels
    size_in_pixels = f'<svg width="{size.width()}" height="{size.height()}"'.encode()
    return _SVG_SIZE.sub(size_in_pixels, bytes(data.data()), count=1)


def save_picture(widget: QWidget, out: str, size: QSize) -> bool:
    """Save ``widget`` as it is drawn to ``out``, exactly ``size`` pixels, in the format of
    ``out``'s extension; True if the file was written."""
    if Path(out).suffix.lower().lstrip(".") in VECTOR_FORMATS:
        try:
            Path(out).write_bytes(svg_bytes(widget, size))
        except OSError:
            return False
        return True
    image = widget.grab().toImage()
    if image.size() != size:  # drawn larger (or on a screen of denser pixels)
        image = image.scaled(
            size,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image.save(out)


def save_and_dispose(app, widget: QWidget, out: str, size: QSize, quitter) -> bool:
    """``save_picture`` unless ``quitter`` noted a quit signal meanwhile, then close ``widget``
    and delete it while the application is alive (pyqtgraph's items outliving their scene at
    interpreter exit can crash the process). False if the file could not be written."""
    ok = quitter.signum is not None or save_picture(widget, out, size)
    widget.close()
    widget.deleteLater()
    app.processEvents()
    return ok
