package main

import (
	"strings"
	"testing"
)

func TestS3Destinations(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	keys := map[string]string{"AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret"}
	tests := []struct {
		name    string
		typ     string
		d       s3Destination
		env     map[string]string
		wantErr string // "" = opens; checked as a substring
		wantURL string
	}{
		{name: "aws", typ: "aws", d: s3Destination{Bucket: "b", Region: "us-east-1"}, env: keys, wantURL: "s3://b/k"},
		{name: "aws region from env", typ: "aws", d: s3Destination{Bucket: "b"}, env: map[string]string{"AWS_REGION": "eu-west-1"}, wantURL: "s3://b/k"},
		{name: "no bucket", typ: "aws", d: s3Destination{Region: "us-east-1"}, env: keys, wantErr: "destinations.aws.bucket"},
		{name: "bad endpoint", typ: "aws", d: s3Destination{Bucket: "b", Endpoint: "127.0.0.1:9000"}, env: keys, wantErr: "destinations.aws.endpoint"},
		{name: "secret missing", typ: "aws", d: s3Destination{Bucket: "b", Region: "r"}, env: map[string]string{"AWS_ACCESS_KEY_ID": "id"}, wantErr: "secret access key"},
		{name: "spaces", typ: "digitalocean", d: s3Destination{Bucket: "b", Region: "nyc3"}, env: map[string]string{"SPACES_ACCESS_KEY_ID": "id", "SPACES_SECRET_ACCESS_KEY": "s"}, wantURL: "s3://b/k"},
		{name: "spaces without region", typ: "digitalocean", d: s3Destination{Bucket: "b"}, env: keys, wantErr: "destinations.digitalocean.region"},
		{name: "spaces with endpoint", typ: "digitalocean", d: s3Destination{Bucket: "b", Endpoint: "https://ams3.digitaloceanspaces.com"}, env: keys, wantURL: "s3://b/k"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.d.typ = tc.typ
			err := tc.d.check(true)
			if err == nil {
				var s interface{ URL(string) string }
				s, err = tc.d.open(t.Context(), env(tc.env))
				if err == nil && s.URL("k") != tc.wantURL {
					t.Fatalf("URL = %q, want %q", s.URL("k"), tc.wantURL)
				}
			}
			if tc.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error %v, want one naming %q", err, tc.wantErr)
			}
		})
	}
}
