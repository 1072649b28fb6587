package secrets_test

import (
	"fmt"
	"reflect"
)

// newNFieldStruct returns a pointer to a new struct with n string fields
// tagged k0 ... k(n-1).
func newNFieldStruct(n int) any {
	fields := make([]reflect.StructField, n)
	for i := range fields {
		fields[i] = reflect.StructField{
			Name: fmt.Sprintf("F%d", i),
			Type: reflect.TypeFor[string](),
			Tag:  reflect.StructTag(fmt.Sprintf(`secret:"k%d"`, i)),
		}
	}
	return reflect.New(reflect.StructOf(fields)).Interface()
}
