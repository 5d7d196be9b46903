// Package report builds the daily volume reports of the archive: how many
// articles each site published on one day, in which languages, from which
// origins (outlets, Telegram channels), how fast they were republished, how
// the day compares with the day before and with the week before it, and
// which sites or origins spiked.
//
// A report is built from the catalog alone (its daily_counts table and, for
// day boundaries in a chosen time zone and for lags, its articles and hops),
// so it can be built for any past day and rebuilt at will:
//
//	d, err := report.Daily(ctx, cat, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), report.Options{})
//	...
//	paths, err := d.WriteAll(dataDir) // dataDir/reports/2025-03-01.{csv,json,md,html,svg}
//
// # Days
//
// By default a day is a calendar day in UTC; Options.Zone picks another zone
// (Asia/Tokyo for Pravda Nihon). An article belongs to the day its
// publication instant falls on in that zone. The catalog's published_day is
// site-local (the date in the article URL), so an article published at
// 08:30 in Tokyo on 1 March counts for 28 February in UTC. Articles whose
// publication instant is unknown keep the catalog's day, which is the URL
// date or, failing that, the UTC day of the first capture. Options.SiteLocal
// counts by the catalog's day as it is instead: it reads only daily_counts,
// exact and cheap at any scale, and its numbers match the catalog's counts
// API, but a "day" then means each site's own calendar.
//
// # Spikes
//
// A site or an origin is flagged when its count n on the day satisfies
//
//	n ≥ Min  and  n ≥ max(Factor·m, m + Sigmas·max(s, √m), m + Margin)
//
// where m and s are the mean and standard deviation of its counts on the
// previous seven days (defaults: Min 20, Factor 2, Sigmas 3, Margin 10; see
// SpikeRule). Why this rule and not a Poisson tail test: these sites publish
// in editorial batches and relay Telegram bursts, so their day-to-day counts
// are overdispersed; a site doing 100±20 a day would cross a Poisson
// p < 1e-4 line (about 140) on ordinary days. The ratio term is scale-free
// and carries the decision for regular sites (100±20 needs 200); the σ term
// keeps a site whose own week was already volatile from being flagged for
// more of the same, with √m as a floor because seven days can show a
// misleadingly small spread; the margin and the minimum keep tiny counts
// (0 → 3) quiet. A site silent for a week (m = 0) that publishes 400 items is
// flagged, and so is a burst like the Serbian site's 422 items in four hours
// on top of an ordinary week of about 100 a day.
//
// Baseline days before the first day the catalog holds any article do not
// count (a fresh archive has no history, not a silent one), and with fewer
// than SpikeRule.MinDays such days nothing is flagged.
//
// # Cost
//
// A report reads a 30-day window. By zone it scans those days' articles
// (about 4 µs of CPU each, most of it in the SQLite driver: 0.25 s for
// 66,000 articles, so 1 to 2 s for the whole network's ~330,000);
// SiteLocal reads only their daily_counts rows, in milliseconds.
// It reads catalog.db through its own read-only connection, in one read
// transaction, so it neither blocks nor waits for the crawler's writes.
package report
