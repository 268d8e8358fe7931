package wrap

import (
	"slices"
	"testing"
)

func TestLines(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  []string
	}{
		{"short line", 80, []string{"short line"}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"  spaces\tand\nnewlines  fold ", 80, []string{"spaces and newlines fold"}},
		{"no wrapping at width zero", 0, []string{"no wrapping at width zero"}},
		{"averyveryverylongword fits anyway", 10, []string{"averyveryverylongword", "fits", "anyway"}},
		{"a flag --stop-now stays whole", 15, []string{"a flag", "--stop-now", "stays whole"}},
		{"\x1b[1mbold\x1b[0m words count by what shows", 10, []string{"\x1b[1mbold\x1b[0m words", "count by", "what shows"}},
		{"", 10, nil},
		{"a b c", 1, []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		if got := Lines(tt.text, tt.width); !slices.Equal(got, tt.want) {
			t.Errorf("Lines(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}

func TestHanging(t *testing.T) {
	tests := []struct {
		text        string
		width       int
		first, rest string
		want        []string
	}{
		// The normal program's reports: the lines after the first indented.
		{"short line", 80, "", "  ", []string{"short line"}},
		{"one two three four", 9, "", "  ", []string{"one two", "  three", "  four"}},
		{"averyveryverylongword fits anyway", 10, "", "  ", []string{"averyveryverylongword", "  fits", "  anyway"}},
		{"", 10, "", "  ", []string{""}},
		// A label: each line's room is width less its own prefix.
		{"aa bb cc dd", 11, "label  ", "  ", []string{"label  aa", "  bb cc dd"}},
		{"", 80, "label  ", "  ", []string{"label"}},
		{"no wrapping at width zero", 0, "- ", "  ", []string{"- no wrapping at width zero"}},
		{"narrower than the label", 4, "label  ", "  ", []string{"label  narrower", "  than", "  the", "  label"}},
	}
	for _, tt := range tests {
		if got := Hanging(tt.text, tt.width, tt.first, tt.rest); !slices.Equal(got, tt.want) {
			t.Errorf("Hanging(%q, %d, %q, %q) = %q, want %q", tt.text, tt.width, tt.first, tt.rest, got, tt.want)
		}
	}
}

func TestWidth(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "\x1b[31m✗ MISMATCH\x1b[0m": 10, "日本": 4} {
		if got := Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestCut(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"one too long", 11, "one too lo…"},
		{"keep", 0, "keep"},
		{"ééééé", 3, "éé…"},
	} {
		if got := Cut(c.in, c.width); got != c.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}
