package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// Charts are inline SVG written here rather than by a template: a few
// hundred rectangles with exact coordinates read better as code. Every
// piece of text in them passes through html.EscapeString.

const (
	chartW    = 800.0
	chartH    = 180.0
	padLeft   = 48.0
	padRight  = 48.0
	padTop    = 12.0
	padBottom = 28.0
)

// timelineSVG draws counts per day as bars and, when showRatio, the ratio
// count/total as a line on its own scale (right axis). Each bar carries a
// <title> so that hovering shows the numbers without any script.
func timelineSVG(rows []countRow, showRatio bool, label string) template.HTML {
	if len(rows) == 0 {
		return ""
	}
	var maxN int64
	maxR := 0.0
	for _, r := range rows {
		maxN = max(maxN, r.Count)
		maxR = max(maxR, r.Ratio)
	}
	if maxN == 0 {
		maxN = 1
	}
	if maxR == 0 {
		maxR = 1
	}
	plotW := chartW - padLeft - padRight
	plotH := chartH - padTop - padBottom
	step := plotW / float64(len(rows))
	barW := max(step*0.8, 0.5)

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" role="img" aria-label="%s">`,
		chartW, chartH, html.EscapeString(label))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(label))
	// Axes and scale labels.
	fmt.Fprintf(&b, `<line class="axis" x1="%g" y1="%g" x2="%g" y2="%g"/>`, padLeft, padTop+plotH, padLeft+plotW, padTop+plotH)
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="%g" text-anchor="end">%d</text>`, padLeft-4, padTop+8, maxN)
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="%g" text-anchor="end">0</text>`, padLeft-4, padTop+plotH)
	if showRatio {
		fmt.Fprintf(&b, `<text class="tick ratio" x="%g" y="%g">%s</text>`, padLeft+plotW+4, padTop+8, fmtPct(maxR))
	}
	for i, r := range rows {
		h := plotH * float64(r.Count) / float64(maxN)
		x := padLeft + float64(i)*step + (step-barW)/2
		tip := fmt.Sprintf("%s: %d", r.Key, r.Count)
		if showRatio {
			tip += fmt.Sprintf(" of %d (%s)", r.Total, fmtPct(r.Ratio))
		}
		fmt.Fprintf(&b, `<rect class="bar" x="%.2f" y="%.2f" width="%.2f" height="%.2f"><title>%s</title></rect>`,
			x, padTop+plotH-h, barW, max(h, 0), html.EscapeString(tip))
	}
	if showRatio && len(rows) > 1 {
		b.WriteString(`<polyline class="ratio" fill="none" points="`)
		for i, r := range rows {
			x := padLeft + float64(i)*step + step/2
			y := padTop + plotH - plotH*r.Ratio/maxR
			fmt.Fprintf(&b, "%.2f,%.2f ", x, y)
		}
		b.WriteString(`"/>`)
	}
	// First, middle and last day under the axis.
	for _, i := range []int{0, len(rows) / 2, len(rows) - 1} {
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case len(rows) - 1:
			anchor = "end"
		}
		x := padLeft + float64(i)*step + step/2
		if anchor == "start" {
			x = padLeft
		} else if anchor == "end" {
			x = padLeft + plotW
		}
		fmt.Fprintf(&b, `<text class="tick" x="%.2f" y="%g" text-anchor="%s">%s</text>`,
			x, chartH-8, anchor, html.EscapeString(rows[i].Key))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// barsSVG draws labelled horizontal bars: counts by site, lag buckets.
func barsSVG(labels []string, values []int64, label string) template.HTML {
	if len(labels) == 0 || len(labels) != len(values) {
		return ""
	}
	var maxV int64 = 1
	for _, v := range values {
		maxV = max(maxV, v)
	}
	const rowH, labelW, w = 20.0, 160.0, 800.0
	h := rowH*float64(len(labels)) + 4
	barMax := w - labelW - 60
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" role="img" aria-label="%s">`,
		w, h, html.EscapeString(label))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(label))
	for i, l := range labels {
		y := float64(i)*rowH + 2
		bw := barMax * float64(values[i]) / float64(maxV)
		fmt.Fprintf(&b, `<text class="tick" x="%g" y="%.1f" text-anchor="end">%s</text>`, labelW-6, y+14, html.EscapeString(clipText(l, 28)))
		fmt.Fprintf(&b, `<rect class="bar" x="%g" y="%.1f" width="%.2f" height="%g"><title>%s: %d</title></rect>`,
			labelW, y+2, bw, rowH-6, html.EscapeString(l), values[i])
		fmt.Fprintf(&b, `<text class="tick" x="%.2f" y="%.1f">%d</text>`, labelW+bw+4, y+14, values[i])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
