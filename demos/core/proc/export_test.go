package proc

// For the external tests (package proc_test), which start processes.
var (
	DescendantsByChildren = FS.descendantsByChildren
	DescendantsByParent   = FS.descendantsByParent
)
