package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const hostile = `<script>alert(1)</script> & "Q" | *x* [l](http://e)`

// hostileReport is the burst report, with a site whose display name and an
// article whose language attribute are markup and a formula.
func hostileReport(t *testing.T) (*fixture, *Day) {
	f := burstFixture(t)
	ctx := context.Background()
	if err := f.cat.SyncSites(ctx, []catalog.Site{{Name: "france", Display: hostile, Langs: []string{"fr"}}}); err != nil {
		t.Fatal(err)
	}
	f.pending = append(f.pending, art{site: "france", lang: `=HYPERLINK("http://e")`,
		published: time.Date(2025, 3, 1, 12, 0, 0, 0, cet)})
	for i := range 40 {
		f.add("japan", time.Date(2025, 2, 27+i%3, 12, i, 0, 0, jst), testOrigins[0])
	}
	f.flush()
	return f, f.report(reportDay, Options{})
}

func TestWriters(t *testing.T) {
	_, d := hostileReport(t)
	t.Run("csv", func(t *testing.T) { testCSV(t, d) })
	t.Run("html", func(t *testing.T) { testHTML(t, d) })
	t.Run("svg", func(t *testing.T) { testSVG(t, d) })
	t.Run("markdown", func(t *testing.T) { testMarkdown(t, d) })
	t.Run("all", func(t *testing.T) { testWriteAll(t, d) })
}

func testCSV(t *testing.T, d *Day) {
	var buf bytes.Buffer
	if err := d.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	want := []string{"day", "site", "lang", "origin_kind", "origin_id", "count", "baseline_mean", "change_vs_prev", "spike"}
	if !slices.Equal(recs[0], want) {
		t.Fatalf("header %q, want %q", recs[0], want)
	}
	if len(recs)-1 != len(d.Rows) {
		t.Fatalf("%d records for %d rows", len(recs)-1, len(d.Rows))
	}
	var sum int64
	spikes := map[string]int{}
	formula := false
	for i, rec := range recs[1:] {
		r := d.Rows[i]
		n, err1 := strconv.ParseInt(rec[5], 10, 64)
		change, err2 := strconv.ParseInt(rec[7], 10, 64)
		mean, err3 := strconv.ParseFloat(rec[6], 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatalf("record %q: %v", rec, err)
		}
		if rec[0] != d.Date || rec[1] != r.Site || n != r.Count || change != r.Count-r.Prev ||
			math.Abs(mean-r.Baseline.Mean) > 0.005 || rec[8] != r.Spike {
			t.Errorf("record %q does not match row %+v", rec, r)
		}
		if strings.HasPrefix(r.Lang, "=") {
			formula = true
			if !strings.HasPrefix(rec[2], "'=") {
				t.Errorf("formula cell %q not defused", rec[2])
			}
		}
		sum += n
		spikes[rec[8]]++
	}
	if !formula {
		t.Error("the hostile language row is missing")
	}
	if sum != d.Total.N {
		t.Errorf("CSV counts sum to %d, total %d", sum, d.Total.N)
	}
	if spikes["site"] == 0 || spikes["site+origin"] == 0 || spikes[""] == 0 {
		t.Errorf("spike column values %v", spikes)
	}
}

// wellFormed checks that every element is closed in order, as XHTML would
// require: x/net/html itself accepts anything.
func wellFormed(t *testing.T, page []byte) {
	t.Helper()
	void := map[atom.Atom]bool{atom.Meta: true, atom.Link: true, atom.Br: true, atom.Img: true, atom.Hr: true, atom.Input: true}
	z := html.NewTokenizer(bytes.NewReader(page))
	var stack []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatal(z.Err())
			}
			if len(stack) > 0 {
				t.Fatalf("unclosed elements %v", stack)
			}
			return
		case html.StartTagToken:
			tok := z.Token()
			if !void[tok.DataAtom] {
				stack = append(stack, tok.Data)
			}
		case html.EndTagToken:
			tok := z.Token()
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("</%s> closes %v", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func testHTML(t *testing.T, d *Day) {
	var buf bytes.Buffer
	if err := d.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.Bytes()
	wellFormed(t, page)
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var svgs, scripts, spikeRows, charset int
	var htmlLang string
	var japanese, hostileText bool
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch {
		case n.DataAtom == atom.Html:
			htmlLang = attr(n, "lang")
		case n.DataAtom == atom.Meta && strings.EqualFold(attr(n, "charset"), "utf-8"):
			charset++
		case n.DataAtom == atom.Svg:
			svgs++
			if n.Parent == nil || n.Parent.DataAtom != atom.Div {
				t.Error("the chart is not inline in the page body")
			}
		case n.DataAtom == atom.Script:
			scripts++
		case n.DataAtom == atom.Tr && attr(n, "class") == "spike":
			spikeRows++
		}
		if attr(n, "lang") == "ja" && strings.Contains(text(n), "プラウダ・ニホン") {
			japanese = true
		}
		if n.DataAtom == atom.Td && strings.Contains(text(n), hostile) {
			hostileText = true
		}
	})
	if htmlLang != "en" || charset != 1 {
		t.Errorf("html lang %q, %d utf-8 meta", htmlLang, charset)
	}
	if svgs != 1 || scripts != 0 {
		t.Errorf("%d svg, %d script elements", svgs, scripts)
	}
	if !japanese {
		t.Error("no lang=ja element holds the Japanese site name")
	}
	if !hostileText {
		t.Error("the hostile site name is not shown as text")
	}
	wantRows := len(d.Spikes)
	for _, l := range [][]Count{d.BySite, d.TopOutlets, d.TopChannels} {
		for _, c := range l {
			if c.Spike {
				wantRows++
			}
		}
	}
	if spikeRows != wantRows {
		t.Errorf("%d spike rows, want %d", spikeRows, wantRows)
	}
}

func testSVG(t *testing.T, d *Day) {
	var buf bytes.Buffer
	if err := d.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	// Strict XML: the standalone file must open in any SVG viewer.
	type node struct {
		XMLName xml.Name
		Attrs   []xml.Attr `xml:",any,attr"`
		Text    string     `xml:",chardata"`
		Kids    []node     `xml:",any"`
	}
	var root node
	if err := xml.Unmarshal(buf.Bytes(), &root); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v", err)
	}
	if root.XMLName.Local != "svg" || root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root %v", root.XMLName)
	}
	get := func(n node, k string) string {
		for _, a := range n.Attrs {
			if a.Name.Local == k {
				return a.Value
			}
		}
		return ""
	}
	var texts []string
	height := map[string]float64{} // per bar x: stacked height
	bars := 0
	for _, k := range root.Kids {
		switch k.XMLName.Local {
		case "text":
			texts = append(texts, k.Text)
		case "rect":
			if len(k.Kids) == 0 { // bars carry a <title> tooltip
				continue
			}
			bars++
			h, err := strconv.ParseFloat(get(k, "height"), 64)
			if err != nil || h <= 0 {
				t.Errorf("bar height %q", get(k, "height"))
			}
			height[get(k, "x")] += h
		}
	}
	for _, want := range []string{"articles per day", "day (UTC)", d.Date[5:], "プラウダ・ニホン"} {
		if !slices.Contains(texts, want) {
			t.Errorf("no text %q in the chart; have %q", want, texts)
		}
	}
	wantBars := 0
	for _, s := range d.History.Series {
		for _, n := range s.Counts {
			if n > 0 {
				wantBars++
			}
		}
	}
	if bars != wantBars || bars == 0 {
		t.Errorf("%d bars, want one per site and day with articles: %d", bars, wantBars)
	}
	// Stacks are proportional to the day totals; the tallest sets the
	// scale, as it suffers least from rounding.
	xs := make([]string, 0, len(height))
	for x := range height {
		xs = append(xs, x)
	}
	slices.SortFunc(xs, func(a, b string) int {
		fa, _ := strconv.ParseFloat(a, 64)
		fb, _ := strconv.ParseFloat(b, 64)
		return int(fa - fb)
	})
	var nonzero []int64
	for _, n := range d.History.Totals {
		if n > 0 {
			nonzero = append(nonzero, n)
		}
	}
	if len(xs) != len(nonzero) {
		t.Fatalf("%d stacks for %d days with articles", len(xs), len(nonzero))
	}
	top := 0
	for i, n := range nonzero {
		if n > nonzero[top] {
			top = i
		}
	}
	ratio := height[xs[top]] / float64(nonzero[top])
	for i, x := range xs {
		// Each bar's height is rounded to 0.1 px.
		slack := 0.05 * float64(len(d.History.Series))
		if r := height[x] / float64(nonzero[i]); math.Abs(height[x]-ratio*float64(nonzero[i])) > slack+0.01*height[x] {
			t.Errorf("stack %d: %.1f px for %d articles, scale %.3f vs %.3f", i, height[x], nonzero[i], r, ratio)
		}
	}
}

func testMarkdown(t *testing.T, d *Day) {
	var buf bytes.Buffer
	if err := d.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "<script>") || !strings.Contains(out, `&lt;script&gt;`) || !strings.Contains(out, `\|`) {
		t.Error("hostile text not escaped")
	}
	if !strings.Contains(out, "プラウダ・ニホン") || !strings.Contains(out, "("+d.Date+".svg)") {
		t.Error("Japanese name or chart link missing")
	}
	// The sites table has a row per site, and every row as many cells as
	// its header: escaped pipes do not split cells.
	lines := strings.Split(out, "\n")
	start := slices.Index(lines, "## Sites")
	if start < 0 {
		t.Fatal("no sites section")
	}
	head := lines[start+2]
	cells := strings.Count(head, " | ")
	n := 0
	for _, l := range lines[start+4:] {
		if !strings.HasPrefix(l, "|") {
			break
		}
		n++
		if got := strings.Count(strings.ReplaceAll(l, `\|`, ""), " | "); got != cells {
			t.Errorf("row %q has %d separators, header %d", l, got, cells)
		}
	}
	if n != len(d.BySite) {
		t.Errorf("%d site rows, want %d", n, len(d.BySite))
	}
}

func testWriteAll(t *testing.T, d *Day) {
	dir := t.TempDir()
	paths, err := d.WriteAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"csv", "json", "md", "html", "svg"} {
		p := filepath.Join(dir, "reports", "2025-03-01."+ext)
		st, err := os.Stat(p)
		if err != nil || st.Size() == 0 || !slices.Contains(paths, p) {
			t.Errorf("%s: %v", p, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "reports", ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// The JSON reads back to the same numbers.
	b, err := os.ReadFile(filepath.Join(dir, "reports", "2025-03-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Day
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Total.N != d.Total.N || len(back.Spikes) != len(d.Spikes) || len(back.Rows) != len(d.Rows) ||
		back.BySite[0] != d.BySite[0] && !sameCount(back.BySite[0], d.BySite[0]) {
		t.Errorf("JSON round trip changed the report")
	}

	bad := *d
	bad.Date = "../../etc"
	if _, err := bad.WriteAll(dir); err == nil {
		t.Error("a date that is a path was accepted")
	}
}

func sameCount(a, b Count) bool {
	return a.Key == b.Key && a.N == b.N && a.Prev == b.Prev && a.Baseline == b.Baseline && a.Spike == b.Spike &&
		(a.Lag == nil) == (b.Lag == nil) && (a.Lag == nil || *a.Lag == *b.Lag)
}
