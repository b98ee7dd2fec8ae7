"""403, 404 and 500 in Vietnamese, in the site's layout."""

from django.test import RequestFactory
from django.views.defaults import server_error


def test_404_and_403_in_vietnamese(users, client_for):
    client = client_for(users.commune)
    missing = client.get("/khong-co-trang-nay/")
    body = missing.content.decode()
    assert missing.status_code == 404 and 'id="error-404"' in body
    assert "Không tìm thấy trang" in body and 'class="top"' in body and "Not Found" not in body
    denied = client.get("/audit/")
    body = denied.content.decode()
    assert denied.status_code == 403 and 'id="error-403"' in body
    assert "Không có quyền truy cập" in body and "Forbidden" not in body


def test_500_in_vietnamese(db):
    response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500 and 'id="error-500"' in body and "Lỗi hệ thống" in body
    assert "Server Error" not in body
