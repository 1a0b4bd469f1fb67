from django.urls import path

from .views import cell, committee, pledge, review, yearend

app_name = "pledges"

urlpatterns = [
    path("", cell.my_cells, name="mine"),
    path("committee/", committee.committee_index, name="committee"),
    path("committee/<int:unit_id>/<int:year>/<int:month>/", committee.committee_month, name="committee_month"),
    path("committee/<int:unit_id>/go/", committee.committee_go, name="committee_go"),
    path("<int:cell_id>/", cell.cell_home, name="cell"),
    path("<int:cell_id>/go/", cell.cell_go, name="go"),
    path("<int:cell_id>/issues/", cell.issue_add, name="issue_add"),
    path("<int:cell_id>/issues/<int:issue_id>/delete/", cell.issue_remove, name="issue_remove"),
    path("<int:cell_id>/year/<int:year>/", cell.cell_year, name="year"),
    path("<int:cell_id>/reviews/<int:year>/<int:month>/", review.review_page, name="review"),
    path("<int:cell_id>/reviews/<int:year>/<int:month>/print/", review.review_print, name="review_print"),
    path("<int:cell_id>/reviews/<int:year>/<int:month>/decide/", review.review_decide, name="decide"),
    path("<int:cell_id>/pledges/<int:year>/", pledge.pledge_list, name="pledges"),
    path("<int:cell_id>/pledges/<int:year>/collective/", pledge.pledge_collective, name="pledge_collective"),
    path("<int:cell_id>/pledges/<int:year>/<int:member_id>/", pledge.pledge_member, name="pledge_member"),
    path("<int:cell_id>/year-end/<int:year>/", yearend.yearend_page, name="yearend"),
]
