package io.inmesh.config.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a config field takes when the YAML omits it, written as YAML ({@code "30s"}, {@code "5"},
 * {@code "[W3C]"}). Kept next to the field so the reference documentation and the binder cannot disagree.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
public @interface Default {
  String value();
}
