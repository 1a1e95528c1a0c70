package contract_test

import (
	"testing"

	conformance "github.com/callcases/conformance"
	"github.com/callcases/conformance/contract"
)

func TestShippedTablePinsEveryRow(t *testing.T) {
	want := []struct {
		code          int
		text, message string
	}{
		{200, "OK", "Запрос выполнен успешно"},
		{201, "Created", "Ресурс был создан успешно"},
		{204, "", "Нет данных"},
		{209, "Conflict", "Ошибка возникает при добавлении кейса с уже существующим внешним идентификатором"},
		{300, "Multiple Choices", "Ошибка возникает если найдено более одного кейса с одинаковым внешним идентификатором"},
		{400, "Bad Request", "Неверный запрос, не верный или отсутствует параметр запроса"},
		{401, "Unauthorized", "Пользователь не авторизован"},
		{403, "Forbidden", "У пользователя нет прав на данную операцию"},
		{404, "Not Found", "Объект или один из параметров запроса не найден"},
		{409, "Conflict", "Конфликт"},
		{500, "Internal Server Error", "Внутренняя ошибка сервера"},
		{501, "Not Implemented", "Запрос не доступен"},
		{503, "Service Unavailable", "Сервис недоступен"},
		{504, "Timeout", "Ошибка возникает при отсутствии ответа на запрос по истечении таймера"},
	}
	table, err := contract.ParseTable(conformance.ResultCodes)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(table.Codes()); got != len(want) {
		t.Fatalf("table has %d codes %v, want %d", got, table.Codes(), len(want))
	}
	for _, w := range want {
		r, ok := table.Lookup(w.code)
		if !ok {
			t.Errorf("code %d missing", w.code)
			continue
		}
		if r.Text != w.text || r.Message != w.message {
			t.Errorf("code %d: got text %q message %q, want %q %q", w.code, r.Text, r.Message, w.text, w.message)
		}
	}
}

func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		"Одно.":      "Одно",
		"Одно. Два.": "Одно",
		"Без точки":  "Без точки",
		"Раз, например:Два.Три.":    "Раз, например:Два.Три",
		"  Пробелы.  ":              "Пробелы",
		"Версия 1.2 вышла. Вторая.": "Версия 1.2 вышла",
	} {
		if got := contract.FirstSentence(in); got != want {
			t.Errorf("FirstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTableRejectsBadInput(t *testing.T) {
	for name, src := range map[string]string{
		"no table":      "# nothing here\n",
		"bad code":      "| Код | Текст | Описание |\n|---|---|---|\n| abc | OK | x. |\n",
		"duplicate":     "| Код | Текст | Описание |\n|---|---|---|\n| 200 | OK | x. |\n| 200 | OK | y. |\n",
		"wrong columns": "| Код | Текст |\n|---|---|\n| 200 | OK |\n",
		"empty":         "| Код | Текст | Описание |\n|---|---|---|\n",
	} {
		if _, err := contract.ParseTable([]byte(src)); err == nil {
			t.Errorf("%s: ParseTable accepted it", name)
		}
	}
}

func BenchmarkParseTable(b *testing.B) {
	for b.Loop() {
		if _, err := contract.ParseTable(conformance.ResultCodes); err != nil {
			b.Fatal(err)
		}
	}
}
