"""Publishing for analysts and BI tools: the data dictionary (`catalog`, `dictionary`),
file exports of the mart views (`export`, `writers`, `manifest`) and the self-contained
HTML report (`report_data`, `report_charts`, `network`, `report`).

Everything here only reads the database, inside one REPEATABLE READ snapshot per
command (`snapshot`), so every file of one export or report sees the same data."""
