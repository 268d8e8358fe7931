package proc

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

const sleepStat = "4054 (sleep) S 4000 4054 4000 34819 4054 4194304 96 0 0 0 0 0 0 0 20 0 1 0 123456 8548352 226 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

func TestParseStatReadsTheFieldsDlabNeeds(t *testing.T) {
	s, err := ParseStat([]byte(sleepStat))
	if err != nil {
		t.Fatal(err)
	}
	want := Stat{PID: 4054, Comm: "sleep", State: 'S', PPID: 4000, PGID: 4054, SID: 4000, TTY: 34819, TPGID: 4054,
		Flags: 4194304, NumThreads: 1, StartTime: 123456}
	if s != want {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
	if !s.InForeground() || s.IsSessionLeader() || !s.IsGroupLeader() || !s.HasTTY() || s.IsKernelThread() {
		t.Errorf("predicates wrong for %+v", s)
	}
}

func TestParseStatCommandNames(t *testing.T) {
	for _, comm := range []string{
		"((a b ) ( c d) )",
		"a) S 1 2 3 4",
		"tmux: server",
		"",
		"with\nnewline",
		"(",
		")",
	} {
		line := strings.Replace(sleepStat, "(sleep)", "("+comm+")", 1)
		s, err := ParseStat([]byte(line))
		if err != nil {
			t.Errorf("comm %q: %v", comm, err)
			continue
		}
		if s.Comm != comm || s.PPID != 4000 || s.StartTime != 123456 {
			t.Errorf("comm %q: got comm %q ppid %d start %d", comm, s.Comm, s.PPID, s.StartTime)
		}
	}
}

func TestParseStatRejectsMalformedInput(t *testing.T) {
	for name, in := range map[string]string{
		"empty":            "",
		"no parentheses":   "4054 sleep S 1 2 3",
		"only open":        "4054 (sleep S 1 2 3",
		"truncated":        "45 (trunc) S 1 45 45 0 -1\n",
		"bad pid":          "x4 (sleep) S 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5\n",
		"bad ppid":         strings.Replace(sleepStat, " S 4000 ", " S 40a0 ", 1),
		"long state":       strings.Replace(sleepStat, " S 4000 ", " SS 4000 ", 1),
		"bad starttime":    strings.Replace(sleepStat, " 123456 ", " -5 ", 1),
		"huge number":      strings.Replace(sleepStat, " 4000 4054 ", " 99999999999999999999999 4054 ", 1),
		"close before pid": ")4054 (",
	} {
		if _, err := ParseStat([]byte(in)); err == nil {
			t.Errorf("%s: %q parsed without error", name, in)
		}
	}
}

func TestParseStatErrorNamesTheField(t *testing.T) {
	_, err := ParseStat([]byte(strings.Replace(sleepStat, " 34819 ", " x ", 1)))
	if err == nil || !strings.Contains(err.Error(), "field 7 (tty_nr)") || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("error %v should name field 7 (tty_nr) and quote the bad input", err)
	}
}

func TestTTYName(t *testing.T) {
	for nr, want := range map[int]string{
		0:                  "?",
		136 << 8:           "pts/0",
		136<<8 | 3:         "pts/3",
		137<<8 | 1:         "pts/257",
		136<<8 | (1 << 20): "pts/256", // minor bits 20-31 hold minor/256
		4<<8 | 1:           "tty1",
		4<<8 | 64:          "ttyS0",
		5<<8 | 1:           "console",
		188 << 8:           "188:0",
	} {
		if got := TTYName(nr); got != want {
			t.Errorf("TTYName(%d) = %q, want %q", nr, got, want)
		}
	}
}

const fullStatus = "Name:\tnginx\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t33\t33\t33\t33\nGid:\t33\t33\t33\t33\n" +
	"Groups:\t33 4 \nNSpid:\t812\t1\nThreads:\t1\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000001000\n" +
	"SigCgt:\t0000000018016a07\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000400\nCapBnd:\t000001ffffffffff\nNoNewPrivs:\t1\n"

func TestParseStatus(t *testing.T) {
	s, err := ParseStatus([]byte(fullStatus))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "nginx" || s.Umask != 0o22 || s.UID != [4]int{33, 33, 33, 33} || s.Threads != 1 ||
		!reflect.DeepEqual(s.Groups, []int{33, 4}) || !reflect.DeepEqual(s.NSpid, []int{812, 1}) ||
		s.CapEff != 0x400 || s.CapBnd != 0x1ffffffffff || !s.NoNewPrivs {
		t.Errorf("parsed %+v", s)
	}
	if s.DispositionOf(unix.SIGPIPE) != Ignored || s.DispositionOf(unix.SIGHUP) != Caught || s.DispositionOf(unix.SIGTTIN) != Default {
		t.Errorf("dispositions wrong: ign %v cgt %v", s.SigIgn, s.SigCgt)
	}
	if got := StatusLine([]byte(fullStatus), "SigIgn"); got != "SigIgn:\t0000000000001000" {
		t.Errorf("StatusLine = %q", got)
	}
}

func TestParseStatusWithoutUmaskLine(t *testing.T) {
	s, err := ParseStatus([]byte("Name:\told\nUid:\t0\t0\t0\t0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Umask != -1 {
		t.Errorf("Umask = %d, want -1 (not shown before Linux 4.7)", s.Umask)
	}
}

func TestParseStatusRejectsMalformedLines(t *testing.T) {
	for _, in := range []string{
		"",
		"Umask:\tzz\n",
		"Name:\tx\nUid:\t0\t0\n",
		"Name:\tx\nSigIgn:\tnothex\n",
		"Name:\tx\nNSpid:\t1 a\n",
	} {
		if _, err := ParseStatus([]byte(in)); err == nil {
			t.Errorf("%q parsed without error", in)
		}
	}
}

func TestSignalSetNames(t *testing.T) {
	if got := SignalSet(0x1).String(); got != "SIGHUP" {
		t.Errorf("0x1 = %q", got)
	}
	if got := SignalSet(0).String(); got != "none" {
		t.Errorf("0 = %q", got)
	}
	// Bit 33 is signal 34, SIGRTMIN as glibc numbers it; bit 63 is signal 64.
	if got := SignalSet(1<<33 | 1<<63).Names(); !reflect.DeepEqual(got, []string{"SIGRTMIN+0", "SIGRTMAX-0"}) {
		t.Errorf("real-time = %v", got)
	}
}

func TestParseCgroup(t *testing.T) {
	cgs, err := ParseCgroup([]byte("12:pids:/system.slice/nginx.service\n1:name=systemd:/system.slice/nginx.service\n0::/system.slice/nginx.service\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cgs) != 3 || cgs[2] != (Cgroup{0, "", "/system.slice/nginx.service"}) || cgs[1].Controllers != "name=systemd" {
		t.Errorf("parsed %+v", cgs)
	}
	// A path may hold colons: only the first two separate fields.
	cgs, err = ParseCgroup([]byte("0::/a:b\n"))
	if err != nil || cgs[0].Path != "/a:b" {
		t.Errorf("path with a colon: %+v, %v", cgs, err)
	}
	for _, bad := range []string{"garbage\n", "x::/\n"} {
		if _, err := ParseCgroup([]byte(bad)); err == nil {
			t.Errorf("%q parsed without error", bad)
		}
	}
}

func TestParseNetIPDecodesAddressesAndListeners(t *testing.T) {
	tcp := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n" +
		"   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4243 1 0 20 4 30 10 -1\n"
	socks, err := ParseNetIP([]byte(tcp), "tcp")
	if err != nil {
		t.Fatal(err)
	}
	if len(socks) != 2 || socks[0].Local != "127.0.0.1:8080" || socks[0].Port != 8080 || !socks[0].Listen || socks[0].Inode != 4242 || socks[1].Listen {
		t.Errorf("parsed %+v", socks)
	}
	tcp6 := "  sl  local_address                         remote_address                        st\n" +
		"   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1\n"
	socks, err = ParseNetIP([]byte(tcp6), "tcp6")
	if err != nil {
		t.Fatal(err)
	}
	if socks[0].Local != "[::1]:22" || !socks[0].Listen {
		t.Errorf("tcp6 parsed %+v", socks)
	}
	udp := "  sl  local_address rem_address   st\n" +
		"  5: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0 0\n"
	socks, err = ParseNetIP([]byte(udp), "udp")
	if err != nil || !socks[0].Listen || socks[0].Local != "0.0.0.0:68" {
		t.Errorf("udp parsed %+v, %v", socks, err)
	}
	for _, bad := range []string{"header\n 0: short\n", "h\n 0: 0100007F 00000000:0000 0A a b c d e 1\n", "h\n 0: 0100007F:1F90 00000000:0000 ZZ a b c d e 1\n"} {
		if _, err := ParseNetIP([]byte(bad), "tcp"); err == nil {
			t.Errorf("%q parsed without error", bad)
		}
	}
}

func TestParseNetUnix(t *testing.T) {
	in := "Num       RefCount Protocol Flags    Type St Inode Path\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 9500 /run/with space/sock\n" +
		"0000000000000000: 00000003 00000000 00000000 0001 03 9501\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 9502 @abstract\n"
	socks, err := ParseNetUnix([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(socks) != 3 || socks[0].Local != "/run/with space/sock" || !socks[0].Listen || socks[1].Listen || socks[1].Local != "" || socks[2].Local != "@abstract" {
		t.Errorf("parsed %+v", socks)
	}
	if ino, ok := SocketInode("socket:[9500]"); !ok || ino != 9500 {
		t.Errorf("SocketInode = %d, %v", ino, ok)
	}
	for _, bad := range []string{"pipe:[1]", "socket:[x]", "socket:[12"} {
		if _, ok := SocketInode(bad); ok {
			t.Errorf("SocketInode(%q) ok", bad)
		}
	}
}

func TestDescribeCaps(t *testing.T) {
	for set, want := range map[uint64]string{
		0:                    "none",
		AllCaps:              "all (the full set root has)",
		1 << 10:              "cap_net_bind_service",
		AllCaps &^ (1 << 24): "all but cap_sys_resource",
		1<<12 | 1<<13:        "cap_net_admin, cap_net_raw",
	} {
		if got := DescribeCaps(set); got != want {
			t.Errorf("DescribeCaps(%#x) = %q, want %q", set, got, want)
		}
	}
}

func TestParseUptime(t *testing.T) {
	if u, err := ParseUptime([]byte("3600.50 7000.00\n")); err != nil || u != 3600.5 {
		t.Errorf("got %v, %v", u, err)
	}
	for _, bad := range []string{"", "x 1", "-1 2"} {
		if _, err := ParseUptime([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseCmdline(t *testing.T) {
	if got := ParseCmdline([]byte("sleep\x001000\x00")); !reflect.DeepEqual(got, []string{"sleep", "1000"}) {
		t.Errorf("got %q", got)
	}
	if got := ParseCmdline(nil); got != nil {
		t.Errorf("empty cmdline (kernel thread) = %q", got)
	}
}

func TestErrorsMatchSentinels(t *testing.T) {
	fs := FS{Root: "testdata/proc"}
	if _, err := fs.Stat(99999); !errors.Is(err, ErrGone) {
		t.Errorf("missing process: %v is not ErrGone", err)
	}
}

func TestIsTerminalDevice(t *testing.T) {
	for target, want := range map[string]bool{
		"/dev/pts/3": true, "/dev/tty1": true, "/dev/ttyS0": true, "/dev/tty": true, "/dev/console": true,
		"/dev/null": false, "/dev/ptmx": false, "pipe:[123]": false, "socket:[456]": false, "": false, "/tmp/dev/pts/1": false,
	} {
		if got := IsTerminalDevice(target); got != want {
			t.Errorf("IsTerminalDevice(%q) = %v, want %v", target, got, want)
		}
	}
}
