package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"
)

//go:embed templates
var templates embed.FS

// The chart is drawn with html/template too, so every label in it is
// escaped; its output is well-formed XML as well as HTML.
var chartTmpl = template.Must(template.ParseFS(templates, "templates/chart.svg"))

// palette: Tableau 10, distinguishable and print-safe; grey is "other".
var palette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#2f4b7c"}

const otherFill = "#c8c8c8"

// chart is the geometry of the stacked bar chart, as strings ready for
// attributes.
type chart struct {
	W, H                     int
	Title, XTitle, YTitle    string
	Left, Right, Top, Bottom string
	PlotH, MidX, MidY        string
	TickX, TickY, XLabelY    string
	XTitleY                  string
	LegendX, LegendTextX     string
	Empty                    bool
	Today                    bar
	YTicks, XTicks           []tick
	Bars                     []bar
	Legend                   []legendItem
}

type tick struct{ Pos, Label string }

type bar struct {
	X, Y, W, H string
	Fill, Tip  string
}

type legendItem struct {
	Y, Fill, Label, Lang string
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func (d *Day) chart() chart {
	const (
		w, h                     = 900, 380
		left, right, top, bottom = 64.0, 680.0, 40.0, 320.0
	)
	h0 := d.History
	c := chart{
		W: w, H: h,
		Title:  "Articles per day, " + strconv.Itoa(len(h0.Days)) + " days to " + d.Date,
		XTitle: "day (" + d.Zone + ")",
		YTitle: "articles per day",
		Left:   num(left), Right: num(right), Top: num(top), Bottom: num(bottom),
		PlotH: num(bottom - top), MidX: num((left + right) / 2), MidY: num((top + bottom) / 2),
		TickX: num(left - 6), TickY: num(bottom + 5), XLabelY: num(bottom + 18), XTitleY: num(bottom + 42),
		LegendX: num(right + 24), LegendTextX: num(right + 42),
	}
	n := len(h0.Days)
	if n == 0 {
		c.Empty = true
		return c
	}
	var peak int64
	for _, t := range h0.Totals {
		peak = max(peak, t)
	}
	c.Empty = peak == 0
	step, ymax := niceScale(peak)
	y := func(v float64) float64 { return bottom - (bottom-top)*v/ymax }
	for v := 0.0; v <= ymax+step/2; v += step {
		c.YTicks = append(c.YTicks, tick{num(y(v)), strconv.FormatFloat(v, 'f', -1, 64)})
	}

	slot := (right - left) / float64(n)
	bw := slot * 0.78
	x := func(i int) float64 { return left + slot*float64(i) + (slot-bw)/2 }
	c.Today = bar{X: num(left + slot*float64(n-1)), W: num(slot)}
	// Label every fifth day counting back from the report day, so that the
	// report day always has its date.
	for i := n - 1; i >= 0; i -= 5 {
		day := h0.Days[i]
		if len(day) == len("2006-01-02") {
			day = day[5:]
		}
		c.XTicks = append(c.XTicks, tick{num(x(i) + bw/2), day})
	}

	for si, s := range h0.Series {
		fill := otherFill
		if s.Key != "" {
			fill = palette[si%len(palette)]
		}
		c.Legend = append(c.Legend, legendItem{Y: num(top + 18*float64(si)), Fill: fill,
			Label: shorten(s.Label, 28), Lang: s.Lang})
	}
	for i := range n {
		var base int64
		for si, s := range h0.Series {
			if i >= len(s.Counts) || s.Counts[i] <= 0 {
				continue
			}
			v := s.Counts[i]
			y0, y1 := y(float64(base)), y(float64(base+v))
			base += v
			c.Bars = append(c.Bars, bar{
				X: num(x(i)), Y: num(y1), W: num(bw), H: num(y0 - y1),
				Fill: c.Legend[si].Fill,
				Tip:  fmt.Sprintf("%s, %s: %d", s.Label, h0.Days[i], v),
			})
		}
	}
	return c
}

// niceScale picks a tick step of 1, 2 or 5 times a power of ten giving
// about five ticks, and the axis maximum as a whole number of steps.
func niceScale(peak int64) (step, top float64) {
	if peak <= 0 {
		return 1, 5
	}
	raw := float64(peak) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	step = max(step, 1)
	return step, math.Ceil(float64(peak)/step) * step
}

// shorten cuts s to about n Latin characters' width for the legend; CJK
// characters are twice as wide.
func shorten(s string, n int) string {
	width := 0
	for i, r := range s {
		w := 1
		if wide(r) {
			w = 2
		}
		if width+w > n-1 && utf8.RuneCountInString(s[i:]) > 1 || width+w > n {
			return s[:i] + "…"
		}
		width += w
	}
	return s
}

func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hangul) ||
		r >= 0x2E80 && r <= 0x31FF || // CJK symbols, kana, ・
		r >= 0xFF01 && r <= 0xFF60 || r >= 0xFFE0 && r <= 0xFFE6 // fullwidth forms
}

func (d *Day) renderChart() ([]byte, error) {
	var b bytes.Buffer
	if err := chartTmpl.Execute(&b, d.chart()); err != nil {
		return nil, fmt.Errorf("render chart: %w", err)
	}
	return b.Bytes(), nil
}

// WriteSVG writes the chart of the last 30 days as a standalone SVG file:
// one stacked bar per day, one colour per busiest site.
func (d *Day) WriteSVG(w io.Writer) error {
	svg, err := d.renderChart()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"); err != nil {
		return fmt.Errorf("write svg: %w", err)
	}
	if _, err := w.Write(svg); err != nil {
		return fmt.Errorf("write svg: %w", err)
	}
	return nil
}
