package reference

import "time"

// The wire shapes of the resources (openapi.yaml). Views are built while
// the store is locked, so a response never shares memory with the store.

type refView struct {
	UUID  string `json:"uuid"`
	Title string `json:"title"`
}

type stateView struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type phoneView struct {
	Value string `json:"value"`
	Type  string `json:"phoneNumberType,omitempty"` // absent when the client gave none
}

type phonesView struct {
	PhoneNumber []phoneView `json:"phoneNumber"`
}

type operatorView struct {
	UUID  string `json:"uuid"`
	Login string `json:"login"`
	Title string `json:"title"`
}

type caseView struct {
	UUID          string        `json:"uuid"`
	ID            *string       `json:"id"`
	Title         string        `json:"title"`
	Parent        refView       `json:"parent"`
	State         stateView     `json:"state"`
	Priority      int64         `json:"priority"`
	Comment       string        `json:"comment"`
	PhoneNumbers  phonesView    `json:"phoneNumbers"`
	CreationDate  string        `json:"creationDate"`
	LastModified  string        `json:"lastModified"`
	ScheduledTime *string       `json:"scheduledTime"`
	Operator      *operatorView `json:"operator"`
}

type projectView struct {
	UUID  string `json:"uuid"`
	Title string `json:"title"`
	State string `json:"state"`
	Mode  string `json:"operatorAssignmentMode"`
}

type listView struct {
	Page     int        `json:"page"`
	Count    int        `json:"count"`
	CallCase []caseView `json:"callcase"`
}

type operatorsView struct {
	Operator []operatorView `json:"operator"`
}

func (st *store) viewCase(c *callCase) caseView {
	title, _ := stateTitle(c.state)
	v := caseView{
		UUID:         c.uuid,
		Title:        c.title,
		Parent:       refView{UUID: c.project.uuid, Title: c.project.title},
		State:        stateView{ID: c.state, Title: title},
		Priority:     c.priority,
		Comment:      c.comment,
		PhoneNumbers: phonesView{PhoneNumber: []phoneView{}},
		CreationDate: st.formatDate(c.created),
		LastModified: st.formatDate(c.modified),
	}
	if c.extID != nil {
		id := *c.extID
		v.ID = &id
	}
	for _, n := range c.phones {
		v.PhoneNumbers.PhoneNumber = append(v.PhoneNumbers.PhoneNumber, phoneView{Value: n.value, Type: n.kind})
	}
	if c.scheduled != nil {
		s := st.formatDate(*c.scheduled)
		v.ScheduledTime = &s
	}
	if c.operator != nil {
		o := viewOperator(c.operator)
		v.Operator = &o
	}
	return v
}

func viewOperator(o *operator) operatorView {
	return operatorView{UUID: o.uuid, Login: o.login, Title: o.title}
}

func viewProject(p *project) projectView {
	return projectView{UUID: p.uuid, Title: p.title, State: p.state, Mode: p.mode}
}

func (st *store) formatDate(t time.Time) string { return t.In(st.loc).Format(dateLayout) }
