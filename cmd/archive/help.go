package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// helpPage is what `archive <command> --help` prints around the command's flags.
type helpPage struct {
	usage  string // the synopsis, first line
	about  string
	groups []helpGroup
	after  string // examples, environment, exit status
}

// helpGroup is a titled set of flags, in the order shown.
type helpGroup struct {
	title string
	flags []string
}

// placeholders name a flag's value in the help; other flags take the flag package's guess (string,
// duration, int).
var placeholders = map[string]string{
	"account-id": "ID", "app-id": "ID", "api-token-file": "FILE", "api-url": "URL", "ids": "FILE",
	"since": "D|TIME", "until": "D|TIME", "meeting-id": "ID", "config": "FILE", "manifest": "FILE",
	"concurrency": "N", "log-format": "text|json", "log-level": "LEVEL", "expiry-warning": "D",
	"api-rate": "PER_S", "artifacts": "LIST", "api-burst": "N", "shard": "K/N", "shards": "N", "progress": "auto|always|never",
	"progress-interval": "D", "pushgateway": "URL", "manifest-upload-interval": "D", "stall-timeout": "D",
	"min-rate": "SIZE", "file-timeout": "D", "max-file-size": "SIZE", "grace": "D", "dir": "DIR",
	"sample": "PERCENT", "read": "auto|always|never",
}

// setHelp makes fs print nothing by itself: errors are returned and reported once by main, and
// --help prints page to stdout, in the contract's --flag form.
func setHelp(fs *flag.FlagSet) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
}

// parseFlags parses args, printing page to stdout on -h or --help.
func parseFlags(fs *flag.FlagSet, args []string, page helpPage, stdout io.Writer) error {
	setHelp(fs)
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case err == flag.ErrHelp:
		printHelp(stdout, fs, page)
		return errHelp
	}
	return usagef("%v (see '%s --help')", err, fs.Name())
}

// printHelp writes the page with every flag of fs in its group. A flag's default is shown unless it
// comes from the environment (its text names the variable and states the default itself), so the
// help never shows a value from this machine's environment.
func printHelp(w io.Writer, fs *flag.FlagSet, page helpPage) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", page.usage, strings.TrimSpace(page.about))
	groups := page.groups
	grouped := map[string]bool{}
	for _, g := range groups {
		for _, name := range g.flags {
			grouped[name] = true
		}
	}
	var other []string // a flag no group names still shows, and the help test fails on it
	fs.VisitAll(func(f *flag.Flag) {
		if !grouped[f.Name] {
			other = append(other, f.Name)
		}
	})
	if len(other) > 0 {
		groups = append(groups[:len(groups):len(groups)], helpGroup{"Other flags", other})
	}
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, name := range g.flags {
			f := fs.Lookup(name)
			if f == nil {
				panic("help names an unknown flag --" + name) // caught by the help test
			}
			line := "  --" + name
			if p := placeholder(f); p != "" {
				line += " " + p
			}
			text := f.Usage
			if def := shownDefault(f); def != "" {
				text += " (default " + def + ")"
			}
			fmt.Fprintln(w, line)
			for _, l := range wrap(text, 96) {
				fmt.Fprintln(w, "      "+l)
			}
		}
	}
	if page.after != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(page.after))
	}
}

func placeholder(f *flag.Flag) string {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return ""
	}
	if p, ok := placeholders[f.Name]; ok {
		return p
	}
	name, _ := flag.UnquoteUsage(f)
	return strings.ToUpper(name)
}

func shownDefault(f *flag.Flag) string {
	d := f.DefValue
	if strings.Contains(f.Usage, "(env ") || d == "" || d == "false" || d == "0" {
		return ""
	}
	// Durations as people write them: 48h, not 48h0m0s.
	if strings.HasSuffix(d, "m0s") {
		d = strings.TrimSuffix(d, "0s")
		d = strings.Replace(d, "h0m", "h", 1)
	}
	return d
}

// wrap breaks text into lines of at most width runes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len([]rune(line))+1+len([]rune(word)) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}
