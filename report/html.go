package report

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
)

var pageTmpl = template.Must(template.New("day.html").Funcs(template.FuncMap{
	"chart":       func() template.HTML { return "" }, // bound per page in WriteHTML
	"signed":      signed,
	"percent":     percent,
	"changeClass": changeClass,
	"dict":        dict,
}).ParseFS(templates, "templates/day.html"))

// WriteHTML writes the report as one self-contained page: inline CSS, the
// chart as inline SVG, no script. Every text is escaped by html/template.
func (d *Day) WriteHTML(w io.Writer) error {
	svg, err := d.renderChart()
	if err != nil {
		return err
	}
	t, err := pageTmpl.Clone()
	if err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	// The SVG was rendered by html/template itself, so it is safe markup.
	t.Funcs(template.FuncMap{"chart": func() template.HTML { return template.HTML(svg) }})
	if err := t.Execute(w, d); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

func signed(n int64) string {
	if n > 0 {
		return "+" + strconv.FormatInt(n, 10)
	}
	if n < 0 {
		return "−" + strconv.FormatInt(-n, 10)
	}
	return "±0"
}

func percent(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }

func changeClass(n int64) string {
	switch {
	case n > 0:
		return "up"
	case n < 0:
		return "down"
	}
	return ""
}

// dict passes several values to a sub-template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
