package proc

import (
	"os"
	"path/filepath"
	"testing"
)

// The parsers take whatever a file holds: these targets check that no input
// makes them panic, and that what they accept they accept consistently.
// Run one with: go test -fuzz=FuzzParseStat -fuzztime=30s ./demos/proc

func addFixtures(f *testing.F, name string) {
	for _, root := range []string{"testdata/proc", "../inspect/testdata/proc"} {
		paths, _ := filepath.Glob(filepath.Join(root, "*", name))
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte(sleepStat))
	f.Add([]byte("1 ((a b ) ( c d) )) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 2\n"))
	addFixtures(f, "stat")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseStat(b)
		if err != nil {
			return
		}
		again, err := ParseStat(b)
		if err != nil || again != s {
			t.Fatalf("second parse differs: %+v vs %+v (%v)", s, again, err)
		}
		_ = TTYName(s.TTY)
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte(fullStatus))
	addFixtures(f, "status")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseStatus(b)
		if err != nil {
			return
		}
		_ = s.SigIgn.String()
		_ = s.SigCgt.Names()
		_ = s.Pending().String()
		if s.IsNamespaceInit() && s.NamespacePID() != 1 {
			t.Fatalf("namespace init with NSpid %v", s.NSpid)
		}
		if s.IsThread() && s.Tgid == s.PID {
			t.Fatalf("thread of itself: %+v", s)
		}
		_ = DescribeCaps(s.CapEff)
		_ = StatusLine(b, "SigIgn")
	})
}

func FuzzParseCgroup(f *testing.F) {
	f.Add([]byte("0::/system.slice/nginx.service\n"))
	f.Add([]byte("12:pids:/user.slice\n1:name=systemd:/user.slice/user-1000.slice/session-3.scope\n0::/\n"))
	addFixtures(f, "cgroup")
	f.Fuzz(func(t *testing.T, b []byte) {
		cgs, err := ParseCgroup(b)
		if err == nil && len(cgs) > len(b) {
			t.Fatalf("%d cgroups from %d bytes", len(cgs), len(b))
		}
	})
}

func FuzzParseNetIP(f *testing.F) {
	f.Add([]byte("  sl  local_address rem_address   st\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1\n"), "tcp")
	f.Add([]byte("h\n   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 77 1\n"), "tcp6")
	f.Add([]byte("h\n  5: 00000000:0044 00000000:0000 07 0:0 0:0 0 0 0 99 2 0 0\n"), "udp")
	f.Fuzz(func(t *testing.T, b []byte, proto string) {
		socks, err := ParseNetIP(b, proto)
		if err != nil {
			return
		}
		for _, s := range socks {
			if s.Port < 0 || s.Port > 65535 {
				t.Fatalf("port %d", s.Port)
			}
		}
	})
}

func FuzzParseNetUnix(f *testing.F) {
	f.Add([]byte("Num RefCount Protocol Flags Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 9500 /run/with space/sock\n"))
	f.Add([]byte("h\n0: 2 0 0 1 3 9501\n"))
	f.Add([]byte("h\n0: 2 0 10000 1 1 19506 /tmp/new\nline.sock\n0: 2 0 0 2 1 7 @a@b\n"))
	for _, p := range []string{"testdata/proc/net/unix"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		socks, err := ParseNetUnix(b)
		if err != nil {
			return
		}
		for _, s := range socks {
			if s.Listen && s.Connected {
				t.Fatalf("listening and connected: %+v", s)
			}
			if s.Listen && s.Type == Datagram {
				t.Fatalf("listening datagram socket: %+v", s)
			}
			if s.IsAbstract() && !s.IsBound() {
				t.Fatalf("abstract but unbound: %+v", s)
			}
		}
	})
}

func FuzzParseUptime(f *testing.F) {
	f.Add([]byte("3600.50 7000.00\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := ParseUptime(b)
		if err == nil && u < 0 {
			t.Fatalf("negative uptime %v", u)
		}
	})
}

func FuzzParseExeLink(f *testing.F) {
	f.Add("/usr/sbin/nginx (deleted)")
	f.Add("/usr/bin/((a b ) ( c d) )")
	f.Add(" (deleted)")
	f.Fuzz(func(t *testing.T, target string) {
		e := ParseExeLink(target)
		back := e.Path
		if e.Deleted {
			back += deletedSuffix
		}
		if back != target {
			t.Fatalf("%q -> %+v does not give the link back", target, e)
		}
	})
}

func FuzzParseMountInfo(f *testing.F) {
	f.Add([]byte("39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"))
	f.Add([]byte("50 22 0:40 / /mnt/with\\040space rw shared:1 - ext4 /dev/x rw\n"))
	addFixtures(f, "mountinfo")
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := ParseMountInfo(b)
		if err != nil {
			return
		}
		for _, m := range ms {
			if m.FSType == "" || m.MountPoint == "" {
				t.Fatalf("empty field in %+v", m)
			}
			_ = m.HasSuperOption("pids")
		}
	})
}

func FuzzParseChildren(f *testing.F) {
	f.Add([]byte("48 52 "))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		kids, err := ParseChildren(b)
		for _, k := range kids {
			if err == nil && k <= 0 {
				t.Fatalf("PID %d from %q", k, b)
			}
		}
	})
}

func FuzzParseExitCode(f *testing.F) {
	f.Add([]byte(sleepStat))
	addFixtures(f, "stat")
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseExitCode(b)
	})
}
