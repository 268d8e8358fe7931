package proc

import (
	"math/bits"
	"strconv"
	"strings"
)

// capNames are the capabilities of capabilities(7), by bit number.
var capNames = []string{
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
	"setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
	"net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
	"sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
	"setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
}

// AllCaps is the set of every capability dlab knows by name.
const AllCaps = uint64(1)<<41 - 1

// CapNames lists the names of the capabilities in set ("cap_net_admin").
func CapNames(set uint64) []string {
	var names []string
	for set != 0 {
		n := bits.TrailingZeros64(set)
		set &^= 1 << n
		if n < len(capNames) {
			names = append(names, "cap_"+capNames[n])
		} else {
			names = append(names, "cap_"+strconv.Itoa(n))
		}
	}
	return names
}

// DescribeCaps says in a few words what a capability set amounts to.
func DescribeCaps(set uint64) string {
	switch {
	case set == 0:
		return "none"
	case set&AllCaps == AllCaps:
		return "all (the full set root has)"
	}
	// A root process missing a few capabilities (a container, a sandbox) is
	// read more easily by what it lacks.
	missing := AllCaps &^ set
	if bits.OnesCount64(missing) < bits.OnesCount64(set&AllCaps) {
		return "all but " + strings.Join(CapNames(missing), ", ")
	}
	return strings.Join(CapNames(set), ", ")
}
