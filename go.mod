module github.com/rtk-archive/rtk-archive

go 1.26.0

require go.yaml.in/yaml/v3 v3.0.6

require golang.org/x/sync v0.25.0 // indirect
