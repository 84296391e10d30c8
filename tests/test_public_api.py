"""The package's public surface."""

import rumeur


def test_the_public_names_are_importable_from_the_package() -> None:
    from rumeur.model import Post

    assert rumeur.Post is Post
    assert issubclass(rumeur.RumeurError, Exception)
    assert all(getattr(rumeur, name) for name in rumeur.__all__)
