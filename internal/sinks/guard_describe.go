package sinks

import (
	"context"
	"errors"
)

// ErrNotDescribed means the destination can't describe an object without reading it.
var ErrNotDescribed = errors.New("the destination describes no object without reading it")

// Describe passes Describer on through Guard, with errors classified like Stat's.
func (g guarded) Describe(ctx context.Context, key string) (Description, error) {
	d, ok := g.s.(Describer)
	if !ok {
		return Description{}, ErrNotDescribed
	}
	desc, err := d.Describe(ctx, key)
	return desc, g.classify(ctx, err, nil)
}

// Describe asks s for a Description; a sink that can't give one gets what its Stat says.
func Describe(ctx context.Context, s Sink, key string) (Description, error) {
	if d, ok := s.(Describer); ok {
		desc, err := d.Describe(ctx, key)
		if !errors.Is(err, ErrNotDescribed) {
			return desc, err
		}
	}
	obj, err := s.Stat(ctx, key)
	return Description{Object: obj}, err
}
