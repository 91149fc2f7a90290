package io.inmesh.spring.internal;

import io.inmesh.spring.MeshClient;
import io.inmesh.spring.MeshClients;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanDefinitionHolder;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.support.AutowireCandidateResolver;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

/**
 * Resolves {@link MeshClient @MeshClient} injection points, fields and constructor or method parameters alike: Spring
 * asks the bean factory's {@link AutowireCandidateResolver} for a "suggested value" before looking for candidate beans
 * (that is how {@code @Value} works), so a client can be injected without one bean per service and type. Every other
 * question goes to the resolver that was installed before (Spring's qualifier and {@code @Lazy} handling stay intact).
 */
public final class MeshClientResolver implements AutowireCandidateResolver, BeanFactoryAware {
  private final AutowireCandidateResolver delegate;
  private BeanFactory beanFactory;

  MeshClientResolver(AutowireCandidateResolver delegate, BeanFactory beanFactory) {
    this.delegate = delegate;
    this.beanFactory = beanFactory;
  }

  /** Spring sets the factory on the resolver it is given; the delegate (a clone, say) needs it as much. */
  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
    if (delegate instanceof BeanFactoryAware aware) {
      aware.setBeanFactory(beanFactory);
    }
  }

  /** Installs the resolver on the application's bean factory, before any bean is created. */
  public static BeanFactoryPostProcessor installer() {
    return new Installer();
  }

  private static final class Installer implements BeanFactoryPostProcessor {
    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory factory) {
      if (factory instanceof DefaultListableBeanFactory f
          && !(f.getAutowireCandidateResolver() instanceof MeshClientResolver)) {
        f.setAutowireCandidateResolver(new MeshClientResolver(f.getAutowireCandidateResolver(), f));
      }
    }
  }

  @Override
  public @Nullable Object getSuggestedValue(DependencyDescriptor descriptor) {
    MeshClient annotation = descriptor.getAnnotation(MeshClient.class);
    if (annotation == null) {
      return delegate.getSuggestedValue(descriptor);
    }
    try {
      return beanFactory.getBean(MeshClients.class).client(annotation.value(), descriptor.getDependencyType());
    } catch (IllegalArgumentException e) {
      throw new BeanCreationException("@MeshClient(\"" + annotation.value() + "\") " + describe(descriptor) + ": "
          + e.getMessage(), e);
    }
  }

  private static String describe(DependencyDescriptor d) {
    if (d.getField() != null) {
      return "on field " + d.getField().getDeclaringClass().getName() + "." + d.getField().getName();
    }
    var p = d.getMethodParameter();
    return p == null ? "" : "on parameter " + p.getParameterIndex() + " of " + p.getExecutable();
  }

  @Override
  public boolean isAutowireCandidate(BeanDefinitionHolder bdHolder, DependencyDescriptor descriptor) {
    return delegate.isAutowireCandidate(bdHolder, descriptor);
  }

  @Override
  public boolean isRequired(DependencyDescriptor descriptor) {
    return delegate.isRequired(descriptor);
  }

  @Override
  public boolean hasQualifier(DependencyDescriptor descriptor) {
    return delegate.hasQualifier(descriptor);
  }

  @Override
  public @Nullable String getSuggestedName(DependencyDescriptor descriptor) {
    return delegate.getSuggestedName(descriptor);
  }

  @Override
  public @Nullable Object getLazyResolutionProxyIfNecessary(DependencyDescriptor descriptor,
      @Nullable String beanName) {
    return delegate.getLazyResolutionProxyIfNecessary(descriptor, beanName);
  }

  @Override
  public @Nullable Class<?> getLazyResolutionProxyClass(DependencyDescriptor descriptor, @Nullable String beanName) {
    return delegate.getLazyResolutionProxyClass(descriptor, beanName);
  }

  @Override
  public AutowireCandidateResolver cloneIfNecessary() {
    return new MeshClientResolver(delegate.cloneIfNecessary(), beanFactory);
  }
}
