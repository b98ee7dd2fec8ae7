"""Every signed-in user changes their own password on a page of the site, in Vietnamese."""

from django.contrib.auth import get_user_model


def test_a_user_changes_their_password(client, db):
    user = get_user_model().objects.create_user("officer", password="old-secret-123")
    assert client.get("/accounts/password/").status_code == 302  # anonymous: to the login page
    client.force_login(user)
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "Đổi mật khẩu" in page.content.decode()
    wrong = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "x", "new_password2": "x"},
    )
    assert wrong.status_code == 200
    user.refresh_from_db()
    assert user.check_password("old-secret-123")
    done = client.post(
        "/accounts/password/",
        {
            "old_password": "old-secret-123",
            "new_password1": "a-new-long-secret-42",
            "new_password2": "a-new-long-secret-42",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password/done/"
    user.refresh_from_db()
    assert user.check_password("a-new-long-secret-42")
    assert client.get("/accounts/password/done/").status_code == 200  # still signed in
