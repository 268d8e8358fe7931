package normal

import "testing"

func TestWrap(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  string
	}{
		{"short line", 80, "short line"},
		{"one two three four", 9, "one two\n  three\n  four"},
		{"averyveryverylongword fits anyway", 10, "averyveryverylongword\n  fits\n  anyway"},
		{"", 10, ""},
	}
	for _, tt := range tests {
		if got := Wrap(tt.text, tt.width, "  "); got != tt.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}
