"""The monthly record saved in the background (JSON), all checks at once, the print view, the offline app."""

from __future__ import annotations

import json

from django.urls import reverse

from pledges.models import ReviewEntry

from .test_pledges_views import form_data, opened, review_url, text, today  # noqa: F401 (fixture)

AUTOSAVE = {"HTTP_X_AUTOSAVE": "1"}


def test_autosave_answers_json_with_the_new_version(world, client):
    review = opened(client, world)
    response = client.post(review_url(world.a), form_data(world.members_a, version=review.version), **AUTOSAVE)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["ok"] and data["version"] == review.version + 1 and data["state"] == "Nháp"
    assert ReviewEntry.objects.filter(review=review, rating="good").count() == 3


def test_autosave_conflict_shows_both_versions_and_discards_neither(world, client):
    review = opened(client, world)
    a0 = world.members_a[0]
    first = form_data(world.members_a, version=review.version, theme_content="Bản của bí thư")
    assert client.post(review_url(world.a), first, **AUTOSAVE).status_code == 200
    mine = form_data(world.members_a, version=review.version, theme_content="Bản của phó bí thư",
                     **{f"m-{a0.pk}-rating": "pass"})
    response = client.post(review_url(world.a), mine, **AUTOSAVE)
    assert response.status_code == 409
    data = response.json()
    assert data["conflict"] and data["version"] == review.version + 1
    rows = {d["label"]: (d["mine"], d["theirs"]) for d in data["diff"]}
    assert rows["Chuyên đề, nội dung học tập"] == ("Bản của phó bí thư", "Bản của bí thư")
    assert rows[f"{a0.full_name} – Kết quả làm theo"] == ("Đạt", "Tốt")
    review.refresh_from_db()
    assert review.theme_content == "Bản của bí thư"  # nothing overwritten until the user chooses


def test_autosave_refusal_is_one_summary_linking_fields_and_members(world, client):
    review = opened(client, world)
    a1 = world.members_a[1]
    data = form_data(world.members_a, version=review.version, meeting_date="2026-04-30",
                     **{f"m-{a1.pk}-exemplary": "1"})
    response = client.post(review_url(world.a), data, **AUTOSAVE)
    assert response.status_code == 400
    items = response.json()["errors"]
    assert {"href": "#id_meeting_date", "text": "Ngày sinh hoạt: Ngày sinh hoạt phải nằm trong tháng 5/2026."} in items
    assert any(i["href"] == f"#row-{a1.pk}" and a1.full_name in i["text"] for i in items)


def test_a_refused_send_lists_every_check_in_one_round(world, client):
    """A wrong minute count and unrated members: both at once, not the second after fixing the first."""
    review = opened(client, world)
    a0, a1 = world.members_a[0], world.members_a[1]
    data = form_data(world.members_a, version=review.version, action="submit", minutes="-5", meeting_date="",
                     **{f"m-{a0.pk}-rating": "", f"m-{a1.pk}-rating": ""})
    page = text(client.post(review_url(world.a), data))
    summary = page.split('id="errors"')[1].split("</div>")[0]
    assert "Thời lượng không được là số âm." in summary and "Chưa nhập ngày sinh hoạt." in summary
    assert f'href="#row-{a0.pk}"' in summary and f"Chưa đánh giá kết quả làm theo của {a0.full_name}" in summary
    assert f'href="#row-{a1.pk}"' in summary
    assert f'aria-describedby="err-{a0.pk}"' in page and f'id="err-{a0.pk}"' in page
    assert "Phiên bản" not in page


def test_the_print_view_has_the_record_and_no_menu(world, client):
    review = opened(client, world)
    client.post(review_url(world.a), form_data(world.members_a, version=review.version, theme_content="Học Bác"))
    response = client.get(reverse("pledges:review_print", args=[world.a.pk, 2026, 5]))
    page = text(response)
    assert response.status_code == 200 and "BIÊN BẢN SINH HOẠT CHI BỘ THÁNG 5/2026" in page
    assert "Học Bác" in page and world.members_a[0].full_name in page
    assert "navbar" not in page and "<script>" not in page
    client.force_login(world.users.sec_b)  # another cell's secretary: not theirs to see
    assert client.get(reverse("pledges:review_print", args=[world.a.pk, 2026, 5])).status_code == 404


def test_the_service_worker_and_manifest_are_served_from_the_root(client):
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == "/"
    body = sw.content.decode()
    assert "/static/js/review.js" in body and "addEventListener(\"fetch\"" in body
    manifest = client.get("/manifest.webmanifest")
    data = json.loads(manifest.content)
    assert manifest["Content-Type"] == "application/manifest+json"
    assert data["display"] == "standalone" and {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_a_save_sent_again_after_its_answer_was_lost_is_no_conflict(world, client):
    """The server saved, the answer was lost on a weak connection, the page sends the same draft again
    with its old version: nothing differs, so it is saved, not a conflict naming the user herself."""
    review = opened(client, world)
    draft = form_data(world.members_a, version=review.version, theme_content="Học tập chuyên đề năm",
                      meeting_date="05/05/2026")
    assert client.post(review_url(world.a), draft, **AUTOSAVE).status_code == 200
    again = client.post(review_url(world.a), draft, **AUTOSAVE)  # same draft, same (old) version
    assert again.status_code == 200, again.content.decode()
    assert again.json()["ok"] and again.json()["version"] == review.version + 1
    # with something new typed meanwhile it is a conflict, and the date is not a false difference
    newer = form_data(world.members_a, version=review.version, theme_content="Học tập chuyên đề năm, bổ sung",
                      meeting_date="5/5/2026")
    response = client.post(review_url(world.a), newer, **AUTOSAVE)
    assert response.status_code == 409
    labels = [d["label"] for d in response.json()["diff"]]
    assert labels == ["Chuyên đề, nội dung học tập"], labels
