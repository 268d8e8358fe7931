package inspect

import (
	"os/user"
	"strconv"
	"sync"
)

// Names turns user and group ids into names; "" when an id has none.
type Names interface {
	User(uid int) string
	Group(gid int) string
}

// SystemNames looks names up in the system's user database (os/user), once
// per id: dlab ps asks for the same few uids thousands of times.
func SystemNames() Names { return systemNames }

var systemNames = &cachedNames{users: map[int]string{}, groups: map[int]string{}}

type cachedNames struct {
	mu     sync.Mutex
	users  map[int]string
	groups map[int]string
}

func (c *cachedNames) User(uid int) string {
	if uid < 0 {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, ok := c.users[uid]; ok {
		return n
	}
	n := ""
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		n = u.Username
	}
	c.users[uid] = n
	return n
}

func (c *cachedNames) Group(gid int) string {
	if gid < 0 {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, ok := c.groups[gid]; ok {
		return n
	}
	n := ""
	if g, err := user.LookupGroupId(strconv.Itoa(gid)); err == nil {
		n = g.Name
	}
	c.groups[gid] = n
	return n
}

// MapNames is a fixed table of names, for tests and fixture trees.
type MapNames struct {
	Users  map[int]string
	Groups map[int]string
}

func (m MapNames) User(uid int) string  { return m.Users[uid] }
func (m MapNames) Group(gid int) string { return m.Groups[gid] }
