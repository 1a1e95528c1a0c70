package client

// Body is the body Do sends for r, and the Content-Type it declares: the
// value of r.JSON in the format of r.Path, a form, or r.Raw. A spec that
// must send a broken body (cut short, declared as another type) breaks this
// one, so that the broken body is the format's own.
func (c *Client) Body(r Request) ([]byte, string, error) { return c.encode(r) }
