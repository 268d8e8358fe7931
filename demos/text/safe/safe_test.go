package safe

import "testing"

func TestTextEscapesWhatATerminalWouldObey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"nginx", "nginx"},
		{"\x1b[2Jx\x1b]0;T\a", `\e[2Jx\e]0;T\a`},
		{"a\tb\nc\rd", `a\tb\nc\rd`},
		{"back\\slash", `back\\slash`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"csi\u009b31m", `csi\u009b31m`},
		{"rtl\u202eevil", `rtl\u202eevil`},
		{"日本語 ok", "日本語 ok"},
		{"del\x7f", `del\x7f`},
		{"", ""},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzText(f *testing.F) {
	f.Add("\x1b[2Jx\x1b]0;T\a")
	f.Add("plain")
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		for i := 0; i < len(out); i++ {
			if c := out[i]; c < 0x20 || c == 0x7f {
				t.Fatalf("Text(%q) kept control byte %#x", s, c)
			}
		}
	})
}
