package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// csvHeader is the header of the combined CSV, the format researchers asked
// for: one row per day, site, language, origin kind and origin id.
var csvHeader = []string{"day", "site", "lang", "origin_kind", "origin_id", "count",
	"baseline_mean", "change_vs_prev", "spike"}

// WriteCSV writes Rows as the combined CSV. baseline_mean is empty when the
// archive has no baseline days; change_vs_prev is count minus the previous
// day's count; spike is "site", "origin", "site+origin" or empty. Text
// cells that a spreadsheet would run as a formula get a leading quote.
func (d *Day) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, r := range d.Rows {
		mean := ""
		if r.Baseline.Days > 0 {
			mean = strconv.FormatFloat(r.Baseline.Mean, 'f', 2, 64)
		}
		rec := []string{r.Day, csvText(r.Site), csvText(r.Lang), csvText(r.OriginKind), csvText(r.OriginID),
			strconv.FormatInt(r.Count, 10), mean, strconv.FormatInt(r.Count-r.Prev, 10), r.Spike}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// csvText defuses spreadsheet formulas: site, language and origin values come
// from fetched pages, and a lang attribute of "=HYPERLINK(...)" must stay text.
func csvText(s string) string {
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}
