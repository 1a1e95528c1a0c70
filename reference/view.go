package reference

import (
	"encoding/xml"
	"time"
)

// The wire shapes of the resources (openapi.yaml), one value for both
// formats: the json tags give the JSON members, the xml tags the XML
// elements. A nil pointer is JSON null and no element at all in XML; an
// empty string is an empty element. Views are built while the store is
// locked, so a response never shares memory with the store.

type refView struct {
	UUID  string `json:"uuid" xml:"uuid"`
	Title string `json:"title" xml:"title"`
}

type stateView struct {
	ID    string `json:"id" xml:"id"`
	Title string `json:"title" xml:"title"`
}

// phoneView is `<phoneNumber phoneNumberType="HOME">8000000000</phoneNumber>` in XML.
type phoneView struct {
	Value string `json:"value" xml:",chardata"`
	Type  string `json:"phoneNumberType,omitempty" xml:"phoneNumberType,attr,omitempty"` // absent when the client gave none
}

type phonesView struct {
	PhoneNumber []phoneView `json:"phoneNumber" xml:"phoneNumber"`
}

type operatorView struct {
	XMLName xml.Name `json:"-" xml:"operator"`
	UUID    string   `json:"uuid" xml:"uuid"`
	Login   string   `json:"login" xml:"login"`
	Title   string   `json:"title" xml:"title"`
}

type caseView struct {
	XMLName       xml.Name      `json:"-" xml:"callcase"`
	UUID          string        `json:"uuid" xml:"uuid"`
	ID            *string       `json:"id" xml:"id"`
	Title         string        `json:"title" xml:"title"`
	Parent        refView       `json:"parent" xml:"parent"`
	State         stateView     `json:"state" xml:"state"`
	Priority      int64         `json:"priority" xml:"priority"`
	Comment       string        `json:"comment" xml:"comment"`
	PhoneNumbers  phonesView    `json:"phoneNumbers" xml:"phoneNumbers"`
	CreationDate  string        `json:"creationDate" xml:"creationDate"`
	LastModified  string        `json:"lastModified" xml:"lastModified"`
	ScheduledTime *string       `json:"scheduledTime" xml:"scheduledTime"`
	Operator      *operatorView `json:"operator" xml:"operator"`
}

type projectView struct {
	XMLName xml.Name `json:"-" xml:"project"`
	UUID    string   `json:"uuid" xml:"uuid"`
	Title   string   `json:"title" xml:"title"`
	State   string   `json:"state" xml:"state"`
	Mode    string   `json:"operatorAssignmentMode" xml:"operatorAssignmentMode"`
}

// listView is `<callcases page="1" count="120"><callcase/>...</callcases>`
// in XML: the items repeat with no wrapper, one item included.
type listView struct {
	XMLName  xml.Name   `json:"-" xml:"callcases"`
	Page     int        `json:"page" xml:"page,attr"`
	Count    int        `json:"count" xml:"count,attr"`
	CallCase []caseView `json:"callcase" xml:"callcase"`
}

type operatorsView struct {
	XMLName  xml.Name       `json:"-" xml:"operators"`
	Operator []operatorView `json:"operator" xml:"operator"`
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

// formatDate writes t in the server's zone or, where that would take its
// year out of 0001..9999 (a date near either end read with its own offset),
// in the offset it was read with, so that what is written is RFC 3339.
func (st *store) formatDate(t time.Time) string {
	in := t.In(st.loc)
	if y := in.Year(); y < 1 || y > 9999 {
		in = t
	}
	return in.Format(dateLayout)
}
