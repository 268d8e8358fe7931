package wrap

import (
	"bytes"
	"testing"
)

func TestTableAlignsAndWrapsTheFlexibleColumns(t *testing.T) {
	for _, c := range []struct {
		name  string
		width int
		want  string
	}{
		{"piped: no wrapping", 0, "a     one two three four five six seven eight\nlong  x\n"},
		// 30 less the fixed column and two gaps leaves 22 columns.
		{"30 columns: the flexible column wraps", 30,
			"a     one two three four\n      five six seven eight\nlong  x\n"},
	} {
		tb := Table{Widths: []int{4, 0}, Width: c.width}
		tb.Add("a", "one two three four five six seven eight")
		tb.Add("long", "x")
		var b bytes.Buffer
		tb.Write(&b)
		if b.String() != c.want {
			t.Errorf("%s:\n%q\nwant\n%q", c.name, b.String(), c.want)
		}
	}
}
