package dev.gantry.loadtest.bench;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Map;

/**
 * Turns the string fields of a parsed proto back into Java strings. A parser keeps a string field as the bytes it
 * read, and serializing those copies them as they are; a proto built by translation holds Java strings, which
 * serializing must measure and encode as UTF-8. Reading each string field through its getter converts it and
 * keeps the string, so a parsed copy then serializes like the proto it was parsed from.
 */
final class StringFields {

  private StringFields() {
  }

  static void restore(Message message) {
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      FieldDescriptor descriptor = field.getKey();
      if (descriptor.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (descriptor.isRepeated()) {
          for (Object element : (List<?>) field.getValue()) {
            restore((Message) element);
          }
        } else {
          restore((Message) field.getValue());
        }
      } else if (descriptor.getJavaType() == FieldDescriptor.JavaType.STRING && descriptor.isRepeated()) {
        for (Object element : (List<?>) field.getValue()) {
          element.hashCode(); // each element is converted as it is read
        }
      }
    }
  }
}
