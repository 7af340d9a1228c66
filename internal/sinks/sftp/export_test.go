package sftp

// Dials is how many SSH connections the sink has opened: 1 plus one per redial after a failure.
func (s *Sink) Dials() int64 { return s.conn.dials.Load() }
