package sinktest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
)

// Mode is what a FaultProxy does with the traffic it carries.
type Mode int

const (
	// Pass forwards both ways.
	Pass Mode = iota
	// Hold forwards what the client sends and never answers: the server carries out the request, the
	// client waits for its answer. A connection that was held stays so after the mode changes, as a
	// stuck server thread would.
	Hold
	// Reset cuts every connection (TCP RST) and every new one at once, as a server that restarts does.
	Reset
	// Fail503 answers every HTTP request with 503 Service Unavailable (plain-HTTP stores only).
	Fail503
	// BlackHole stops forwarding both ways without closing anything, as a dead link does; traffic
	// resumes when the mode changes back.
	BlackHole
)

func (m Mode) String() string {
	return [...]string{"pass", "hold", "reset", "503", "black-hole"}[m]
}

// FaultProxy is a TCP proxy on 127.0.0.1 in front of one real server, for the fault cases of the
// suite: the drivers under test talk to Addr, and the test switches the Mode.
type FaultProxy struct {
	Addr     string // host:port to connect to instead of the server
	upstream string
	ln       net.Listener

	mu      sync.Mutex
	mode    Mode
	changed chan struct{} // closed and replaced on every mode change
	conns   map[*proxied]bool
	held    int // connections that carried a request while held
}

type proxied struct {
	client, server net.Conn
	held           bool
}

// NewFaultProxy starts a proxy to upstream (host:port) in Pass mode; it stops with the test.
func NewFaultProxy(t *testing.T, upstream string) *FaultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &FaultProxy{Addr: ln.Addr().String(), upstream: upstream, ln: ln, changed: make(chan struct{}), conns: map[*proxied]bool{}}
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Set switches the mode. Reset and Fail503 cut the connections already open (a client then dials
// anew and meets the mode), and so does leaving Fail503; Hold and BlackHole act on them from their
// next bytes on.
func (p *FaultProxy) Set(m Mode) {
	p.mu.Lock()
	old := p.mode
	p.mode = m
	close(p.changed)
	p.changed = make(chan struct{})
	var cut []*proxied
	if m == Reset || m == Fail503 || old == Fail503 {
		for c := range p.conns {
			cut = append(cut, c)
		}
	}
	p.mu.Unlock()
	for _, c := range cut {
		c.reset()
	}
}

// Held is how many connections carried a request that will never be answered.
func (p *FaultProxy) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

func (p *FaultProxy) state() (Mode, chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode, p.changed
}

func (p *FaultProxy) close() {
	p.ln.Close()
	p.Set(Reset) // also wakes the connections a black hole parked
}

func (p *FaultProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *FaultProxy) serve(client net.Conn) {
	switch mode, _ := p.state(); mode {
	case Reset:
		(&proxied{client: client}).reset()
		return
	case Fail503:
		c := p.track(&proxied{client: client})
		defer p.untrack(c)
		answer503(client)
		return
	}
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		(&proxied{client: client}).reset()
		return
	}
	c := p.track(&proxied{client: client, server: server})
	defer p.untrack(c)
	done := make(chan struct{}, 2)
	go func() { p.pump(c, server, client, true); done <- struct{}{} }()
	go func() { p.pump(c, client, server, false); done <- struct{}{} }()
	<-done
}

func (p *FaultProxy) track(c *proxied) *proxied {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns[c] = true
	return c
}

func (p *FaultProxy) untrack(c *proxied) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.reset()
}

// pump copies from src to dst as the mode says; upstream is the client-to-server direction.
func (p *FaultProxy) pump(c *proxied, dst, src net.Conn, upstream bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.forward(c, dst, buf[:n], upstream) {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// forward delivers b unless the mode says otherwise; false ends the connection.
func (p *FaultProxy) forward(c *proxied, dst net.Conn, b []byte, upstream bool) bool {
	for {
		mode, changed := p.state()
		p.mu.Lock()
		if mode == Hold && upstream && !c.held {
			c.held = true
			p.held++
		}
		held := c.held
		p.mu.Unlock()
		switch {
		case mode == Reset || mode == Fail503:
			return false
		case mode == BlackHole:
			<-changed // keep the bytes until the link comes back
			continue
		case held && !upstream:
			return true // the answer is dropped
		}
		_, err := dst.Write(b)
		return err == nil
	}
}

func (c *proxied) reset() {
	for _, conn := range []net.Conn{c.client, c.server} {
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // close with RST, not FIN
		}
		if conn != nil {
			conn.Close()
		}
	}
}

// answer503 reads each HTTP request whole and refuses it, as an overloaded store does.
func answer503(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
		resp := "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 19\r\nRetry-After: 1\r\n\r\n"
		if req.Method != http.MethodHead {
			resp += "service unavailable"
		}
		if _, err := io.WriteString(conn, resp); err != nil {
			return
		}
	}
}
