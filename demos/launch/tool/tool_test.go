package tool

import (
	"context"
	"os"
	"testing"
	"time"

	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }

func TestRunReportsOutputAndExitStatus(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := Run(ctx, Options{Dir: t.TempDir(), Env: []string{"DLAB_TOOL_TEST=x"}}, "sh", "-c", `pwd >/dev/null; echo "$DLAB_TOOL_TEST"; echo err >&2; exit 3`)
	if err != nil || res.Code != 3 || string(res.Output) != "x\nerr\n" {
		t.Fatalf("Run = %q, %d, %v; want x and err, status 3", res.Output, res.Code, err)
	}
	res, err = Run(ctx, Options{NoStderr: true}, "sh", "-c", `echo out; echo err >&2`)
	if err != nil || string(res.Output) != "out\n" {
		t.Fatalf("NoStderr: %q, %v", res.Output, err)
	}
	if _, err := Run(ctx, Options{}, "dlab-no-such-tool"); err == nil {
		t.Fatal("a missing program gave no error")
	}
}

// Daemons and system tools live in /usr/sbin, off an ordinary user's PATH.
func TestPathLooksInSbin(t *testing.T) {
	t.Setenv("PATH", "/usr/bin:/bin")
	if _, err := os.Stat("/usr/sbin/nginx"); err != nil {
		t.Skip("nginx is not installed")
	}
	if p, ok := Path("nginx"); !ok || p != "/usr/sbin/nginx" {
		t.Fatalf("Path(nginx) = %q, %v", p, ok)
	}
}
