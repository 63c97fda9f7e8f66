"""The principal's portal: each of their schools' scorecards as a web page, and what is open for them."""
