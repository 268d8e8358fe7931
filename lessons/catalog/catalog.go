// Package catalog holds the live demos that lessons place in their text.
//
// Each demo starts real processes (or looks at real ones), reads what the
// kernel says about them, ends everything it started, and returns Markdown
// built from what it observed: the lesson shows that Markdown right under the
// claim it backs. The demos call the packages under demos/ and
// inspect.Explain, so what a lesson shows is what `dlab explain` and
// `dlab demo` show.
package catalog

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Demo is one live demo.
type Demo struct {
	Name  string
	Shows string // one line: what the reader sees
	run   func(ctx context.Context) (string, error)
}

// Timeout bounds one demo; a demo that gets stuck is ended with everything
// it started, and the lesson goes on.
const Timeout = 30 * time.Second

// demos is the catalog, by name. Each entry lives in the file named after it.
var demos = map[string]Demo{}

// register adds a demo; called from the init of the file that defines it.
func register(d Demo) {
	if _, dup := demos[d.Name]; dup {
		panic("catalog: demo registered twice: " + d.Name)
	}
	demos[d.Name] = d
}

// Names lists every demo, sorted.
func Names() []string {
	names := make([]string, 0, len(demos))
	for n := range demos {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Has reports whether a demo called name exists.
func Has(name string) bool {
	_, ok := demos[name]
	return ok
}

// Run runs the demo called name and returns its Markdown. It has the shape
// of lessons.RunFunc.
func Run(ctx context.Context, name string) (string, error) {
	d, ok := demos[name]
	if !ok {
		return "", fmt.Errorf("no demo %q in this dlab", name)
	}
	return d.Run(ctx)
}

// Run runs the demo, bounded by Timeout.
func (d Demo) Run(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	out, err := d.run(ctx)
	if err != nil {
		return "", err
	}
	return out, nil
}
