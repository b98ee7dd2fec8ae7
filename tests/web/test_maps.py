"""Communes drawn from their coordinates (ntm/web/maps.py)."""

import re
from types import SimpleNamespace

from django.urls import reverse

from ntm.web.maps import HEIGHT, PAD, WIDTH, project


def test_points_fill_the_box_west_left_north_up():
    points = [
        SimpleNamespace(pk=i, name=f"xã {i}", kind="xa", latitude=lat, longitude=lon)
        for i, (lat, lon) in enumerate([(22.0, 105.5), (22.5, 106.0), (21.8, 105.9), (22.2, 105.7)])
    ]
    dots = {d.pk: d for d in project(points, css_for=lambda p: "m")}
    assert dots[0].x == PAD  # the westmost
    assert dots[1].y == PAD  # the northmost
    assert dots[2].y > dots[3].y > dots[1].y  # south is down
    assert all(PAD <= d.x <= WIDTH - PAD and PAD <= d.y <= HEIGHT - PAD for d in dots.values())
    assert max(d.y for d in dots.values()) == HEIGHT - PAD  # the taller side fills the box
    assert {d.css for d in dots.values()} == {"m"}
    assert project([]) == []


def test_dashboard_map_links_each_xa_to_its_page(units, users, client_for):
    body = client_for(users.coordinator).get("/?year=2023").content.decode()
    links = re.findall(r'<a href="([^"]+)"><circle', body)
    assert len(links) == 95
    assert reverse("units:detail", args=[units.quan_ha.pk]) in links
    assert len(set(links)) == 95
