package md

import "testing"

func TestEscapeKeepsEveryCharacterAsItself(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"nginx", "nginx"},
		{"process_api", `process\_api`},
		{"a|b", `a\|b`},
		{"**x**", `\*\*x\*\*`},
		{"`ls`", "`ls`"},
		{`C:\x`, `C:\\x`},
		{"[a](b) <i> #1", `\[a\](b) \<i\> \#1`},
		{"two\nlines", "two lines"},
	} {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTable(t *testing.T) {
	got := Table([]string{"a", "b"}, [][]string{{"1", "2"}})
	if want := "| a | b |\n|---|---|\n| 1 | 2 |\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
