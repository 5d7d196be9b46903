package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteMarkdown writes the report as a Markdown page with a table per
// breakdown and a link to the day's SVG chart (written beside it by
// WriteAll). Text from the catalog is escaped so that it cannot add
// markup.
func (d *Day) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("# Pravda network: articles published on %s\n\n", d.Date)
	p("Day in %s.", md(d.Zone))
	if len(d.Sites) > 0 {
		names := make([]string, len(d.Sites))
		for i, s := range d.Sites {
			names[i] = md(s)
		}
		p(" Sites: %s.", strings.Join(names, ", "))
	}
	p(" Generated %s.\n\n", d.Generated.Format("2006-01-02 15:04 UTC"))
	p("**%d** articles; the day before %d (%s); previous 7 days %s per day. ",
		d.Total.N, d.Total.Prev, signedASCII(d.Total.Change), d.Total.Baseline)
	if l := d.Total.Lag; l != nil && l.Articles > 0 {
		p("Median republication lag: %s (%d articles with a known origin time).\n\n", l, l.Articles)
	} else {
		p("Median republication lag: n/a.\n\n")
	}

	p("## Spikes\n\n")
	if len(d.Spikes) == 0 {
		p("No site or origin is far above its baseline.\n\n")
	} else {
		table(bw, []string{"scope", "name", "key", "origin kind", "count", "baseline (mean ± sd)", "threshold"}, "---|---|---|---|--:|--:|--:")
		for _, s := range d.Spikes {
			row(bw, s.Scope, s.Label, s.Key, s.Kind, strconv.FormatInt(s.N, 10), s.Baseline.String(),
				strconv.FormatFloat(s.Threshold, 'f', 0, 64))
		}
		p("\n")
	}
	p("Rule: %s.\n\n", md(d.SpikeRule.String()))

	p("## Last 30 days\n\n![Articles per day, last 30 days](%s.svg)\n\n", d.Date)

	counts := func(title, head string, cs []Count, lag bool) {
		p("## %s\n\n", title)
		if len(cs) == 0 {
			p("None.\n\n")
			return
		}
		cols := []string{head, "name", "count", "share", "day before", "change", "baseline", "spike"}
		align := "---|---|--:|--:|--:|--:|--:|---"
		if lag {
			cols = append(cols, "median lag")
			align += "|--:"
		}
		table(bw, cols, align)
		for _, c := range cs {
			key := c.Key
			if key == "" {
				key = "(none)"
			}
			if c.Kind != "" {
				key += " (" + c.Kind + ")"
			}
			spike := ""
			if c.Spike {
				spike = "**spike**"
			}
			cells := []string{md(key), md(c.Label), strconv.FormatInt(c.N, 10), percent(c.Share),
				strconv.FormatInt(c.Prev, 10), signedASCII(c.Change), c.Baseline.String(), spike}
			if lag {
				l := "n/a"
				if c.Lag != nil {
					l = c.Lag.String()
				}
				cells = append(cells, l)
			}
			fmt.Fprintf(bw, "| %s |\n", strings.Join(cells, " | "))
		}
		p("\n")
	}
	counts("Sites", "site", d.BySite, true)
	counts("Languages", "language", d.ByLang, false)
	counts("Origin kinds", "origin kind", d.ByOriginKind, false)
	counts("Top outlets", "outlet", d.TopOutlets, false)
	counts("Top Telegram channels", "channel", d.TopChannels, false)

	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

func table(w io.Writer, head []string, align string) {
	fmt.Fprintf(w, "| %s |\n|%s|\n", strings.Join(head, " | "), align)
}

// row writes cells that still need escaping.
func row(w io.Writer, cells ...string) {
	for i, c := range cells {
		cells[i] = md(c)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "|", `\|`,
	"#", `\#`, "!", `\!`, "<", "&lt;", ">", "&gt;", "&", "&amp;",
	"\r\n", " ", "\n", " ", "\r", " ",
)

// md makes text inert in Markdown: no emphasis, links, HTML or broken
// tables.
func md(s string) string { return mdEscaper.Replace(s) }

func signedASCII(n int64) string {
	if n > 0 {
		return "+" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
