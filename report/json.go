package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes the whole report as indented JSON.
func (d *Day) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
