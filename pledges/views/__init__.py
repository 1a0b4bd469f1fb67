"""The pledges app's pages, by area: the cell's home and year, monthly reviews, pledges, year end,
and the committee's month. Every view gets its unit through organizations.access."""
