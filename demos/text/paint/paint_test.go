package paint

import "testing"

func TestIfColoursOnlyWhenOn(t *testing.T) {
	for _, c := range []struct {
		on   bool
		s    string
		want string
	}{
		{false, "✓", "✓"},
		{true, "✓", "\x1b[32m✓\x1b[0m"},
		{true, "", ""},
	} {
		if got := If(c.on, Green, c.s); got != c.want {
			t.Errorf("If(%v, green, %q) = %q, want %q", c.on, c.s, got, c.want)
		}
	}
}
