package compose

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/sirupsen/logrus"
)

// compose-go logs some warnings through logrus, which wrote them raw to
// stderr (`time=... level=warning msg=...`). Load returns them as our own
// warnings instead, once each, and writes nothing to the log.
func TestComposeGoLogLinesBecomeWarnings(t *testing.T) {
	var stderr bytes.Buffer
	logger := logrus.StandardLogger()
	previous := logger.Out
	logger.SetOutput(&stderr)
	t.Cleanup(func() { logger.SetOutput(previous) })

	yaml := `version: "3.8"
services:
  web:
    image: nginx
    tty: yes
    networks: [n]
networks:
  n:
    external:
      name: foo
`
	var wg sync.WaitGroup
	results := make([][]Diagnostic, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, warns, err := loadYAML(t, yaml)
			if err != nil {
				t.Errorf("Load: %v", err)
			}
			results[i] = warns
		}()
	}
	wg.Wait()

	if stderr.Len() > 0 {
		t.Errorf("compose-go wrote to the log:\n%s", stderr.String())
	}
	for i, warns := range results {
		count := func(substr string) int {
			n := 0
			for _, w := range warns {
				if strings.Contains(w.String(), substr) {
					n++
				}
			}
			return n
		}
		for _, want := range []string{`"yes" for boolean is not supported by YAML 1.2`, "external.name is deprecated", "`version` is obsolete"} {
			if got := count(want); got != 1 {
				t.Errorf("load %d: %d warnings with %q, want 1:\n%s", i, got, want, diagStrings(warns))
			}
		}
	}
}
