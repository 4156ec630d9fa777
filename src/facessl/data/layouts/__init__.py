"""Loaders for the published layouts of the standard facial evaluation datasets.

Each loader reads a dataset root on the user's disk (never downloads), maps the dataset's labels
to facessl's canonical conventions (NOTES.md: expression order, FACS numbers, (yaw, pitch, roll)
degrees) and fails with a :class:`LayoutError` naming the file and line at fault.

Example:
    >>> from facessl.data.layouts import LAYOUTS, load_layout, summarize
    >>> LAYOUTS.names()  # doctest: +NORMALIZE_WHITESPACE
    ['300w_lp', 'affectnet7', 'affectnet8', 'aflw2000', 'bp4d', 'celeba', 'cplfw', 'disfa',
     'fer2013', 'lfw', 'rafdb']
    >>> samples = load_layout("rafdb", "~/data/RAF-DB/basic")  # doctest: +SKIP
    >>> summarize(samples)  # doctest: +SKIP
    {'train': 12271, 'test': 3068}
"""

# Importing each loader module registers its layout(s) in LAYOUTS.
from facessl.data.layouts.affectnet import load_affectnet
from facessl.data.layouts.aflw2000 import load_aflw2000
from facessl.data.layouts.bp4d import load_bp4d
from facessl.data.layouts.celeba import load_celeba
from facessl.data.layouts.cplfw import load_cplfw
from facessl.data.layouts.disfa import load_disfa
from facessl.data.layouts.errors import LayoutError, MissingFileError
from facessl.data.layouts.fer2013 import load_fer2013
from facessl.data.layouts.labels import EXPRESSIONS, EXPRESSIONS_7
from facessl.data.layouts.lfw import load_lfw
from facessl.data.layouts.rafdb import load_rafdb
from facessl.data.layouts.registry import LAYOUTS, LayoutLoader, load_layout
from facessl.data.layouts.sample import FacePair, FaceSample, au_label_matrix, summarize
from facessl.data.layouts.w300lp import load_300w_lp

__all__ = [
    "EXPRESSIONS",
    "EXPRESSIONS_7",
    "LAYOUTS",
    "FacePair",
    "FaceSample",
    "LayoutError",
    "LayoutLoader",
    "MissingFileError",
    "au_label_matrix",
    "load_300w_lp",
    "load_affectnet",
    "load_aflw2000",
    "load_bp4d",
    "load_celeba",
    "load_cplfw",
    "load_disfa",
    "load_fer2013",
    "load_layout",
    "load_lfw",
    "load_rafdb",
    "summarize",
]
