package gcs

// NewWithOptions lets tests put their own HTTP client between the sink and the server.
var NewWithOptions = newSink
