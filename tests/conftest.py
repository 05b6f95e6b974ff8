from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
FLEMISH = FIXTURES / "vlaams-parlement"
OTHER_PARLIAMENTS = FIXTURES / "other-parliaments"
SEED_DOCUMENT = FLEMISH / "000_3766b604c4d8bdfa.txt"
SV235_EXTRACTIONS = {
    "pdf": FLEMISH / "sv-235-2024.pdf",
    "pypdf": FLEMISH / "sv-235-2024.pypdf.txt",
    "pdftotext": FLEMISH / "sv-235-2024.pdftotext.txt",
    "pdftotext-layout": FLEMISH / "sv-235-2024.pdftotext-layout.txt",
}


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED_DOCUMENT.read_bytes()


@pytest.fixture
def editor(client, db):
    """A member of the editors' group, logged in on ``client``."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("redacteur", password="a-long-enough-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    client.force_login(user)
    return user


@pytest.fixture
def fresh_process_memory():
    """For a test that calls gunicorn's post_worker_init, which freezes the process's objects
    (archive/long_lived.py): no object frozen before the test; none left frozen, and the hook gone, after it."""
    import gc

    from django.core.signals import request_finished

    gc.unfreeze()
    yield
    request_finished.disconnect(dispatch_uid="archive.long_lived")
    gc.unfreeze()
