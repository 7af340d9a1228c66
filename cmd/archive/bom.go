package main

import "strings"

// withoutBOM drops the UTF-8 byte-order mark some Windows editors put at the start of a text file.
// Left in, it is part of the first token or ID: the API refuses the token, the first ID is not a UUID.
func withoutBOM(s string) string { return strings.TrimPrefix(s, "\ufeff") }
