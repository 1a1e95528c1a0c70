package conformance

// The API's resources as the suite reads them, in either format.

// CallCase is the case resource as the suite reads it.
type CallCase struct {
	UUID   string  `json:"uuid"`
	ID     *string `json:"id"`
	Title  string  `json:"title"`
	Parent struct {
		UUID string `json:"uuid"`
	} `json:"parent"`
	State struct {
		ID string `json:"id"`
	} `json:"state"`
	Priority     *int         `json:"priority"`
	Comment      *string      `json:"comment"`
	PhoneNumbers PhoneNumbers `json:"phoneNumbers"`
	CreationDate string       `json:"creationDate"`
	LastModified string       `json:"lastModified"`
	Scheduled    *string      `json:"scheduledTime"`
	Operator     *struct {
		UUID string `json:"uuid"`
	} `json:"operator"`
}

type PhoneNumbers struct {
	PhoneNumber []PhoneNumber `json:"phoneNumber"`
}

type PhoneNumber struct {
	Value string `json:"value"`
	Type  string `json:"phoneNumberType"`
}

type caseList struct {
	Page     int        `json:"page"`
	Count    int        `json:"count"`
	CallCase []CallCase `json:"callcase"`
}
