package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func init() {
	register("sites", "list the seeded network sites and origin outlets (table or JSON)", runSites)
}

func runSites(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sites", "[--origins] [--json] [--all]", stderr)
	var sf seedFlags
	sf.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	origins := fs.Bool("origins", false, "list origin outlets and platforms instead of sites")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	reg, err := sf.registry()
	if err != nil {
		return err
	}
	if *origins {
		if *asJSON {
			return writeJSON(stdout, map[string]any{"outlets": reg.Outlets, "channels": reg.Channels})
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tKIND\tDOMAINS\tOWNER")
		for _, o := range reg.Outlets {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.ID, o.Name, o.Kind, strings.Join(o.Domains, " "), o.Owner)
		}
		return tw.Flush()
	}
	sites, err := reg.Select(sf.sites)
	if err != nil {
		return err
	}
	if len(sf.sites) == 0 {
		sites = reg.Sites
	}
	if *asJSON {
		return writeJSON(stdout, sites)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tHOST\tDISPLAY\tLANGS\tKIND\tCOUNTRY\tSTATUS\tALIASES")
	for _, s := range sites {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Host, s.Display, strings.Join(s.Langs, ","),
			s.Kind, s.Country+s.Theme, s.Status, strings.Join(s.Aliases, " "))
	}
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
