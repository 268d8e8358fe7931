package lessons

import (
	"strings"
	"testing"

	"dlab/content"
)

// codeBlock is one fenced code block of a lesson.
type codeBlock struct {
	lesson, info, text string
	line               int // of the opening fence, in the lesson's file
}

// codeBlocks lists the fenced code blocks of a lesson's body, demo markers
// left out, with the same fence rules as parts.
func codeBlocks(l Lesson) []codeBlock {
	lines := strings.SplitAfter(l.Body, "\n")
	var bs []codeBlock
	for i := 0; i < len(lines); i++ {
		fence, info, ok := openingFence(lines[i])
		if !ok {
			continue
		}
		var text strings.Builder
		j := i + 1
		for ; j < len(lines) && !closesFence(lines[j], fence); j++ {
			text.WriteString(lines[j])
		}
		info = strings.TrimSpace(info)
		if word, _, _ := strings.Cut(info, " "); word != MarkerInfo {
			bs = append(bs, codeBlock{lesson: l.Name, info: info, text: text.String(), line: l.bodyLine + i})
		}
		i = j
	}
	return bs
}

// allLessons loads the embedded lessons, or stops the test.
func allLessons(t *testing.T) []Lesson {
	t.Helper()
	ls, err := Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func TestCodeBlocksSkipsDemoMarkers(t *testing.T) {
	l, err := Parse("x.md", lessonFile(okFront, "a\n\n```ini\n[Service]\n```\n\n```dlab-demo one\nnote\n```\n\n~~~sh\nls\n~~~\n"))
	if err != nil {
		t.Fatal(err)
	}
	bs := codeBlocks(l)
	if len(bs) != 2 || bs[0].info != "ini" || bs[0].text != "[Service]\n" || bs[0].line != 9 || bs[1].text != "ls\n" {
		t.Errorf("codeBlocks = %+v", bs)
	}
}
